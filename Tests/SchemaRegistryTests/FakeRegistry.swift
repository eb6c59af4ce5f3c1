import JSON
import SchemaRegistry
import Synchronization

/// A registry in a closure: canned answers by path, a count of requests, and a switch to fail
/// every request as a transport error (no HTTP; `RegistryStandInTests` covers that).
final class FakeRegistry: Sendable {
    struct Unreachable: Error, CustomStringConvertible {
        var description: String { "connection refused" }
    }

    private let answers = Mutex<[String: RegistryResponse]>([:])
    private let log = Mutex<[String]>([])
    private let down = Mutex(false)

    func answer(_ path: String, status: Int = 200, _ body: JSON) {
        answers.withLock { $0[path] = RegistryResponse(status: status, body: body.serializedBytes()) }
    }

    func schema(id: Int, _ text: String, type: String? = nil, references: [JSON] = []) {
        var body: [(String, JSON)] = [("schema", .string(text))]
        if let type { body.append(("schemaType", .string(type))) }
        if !references.isEmpty { body.append(("references", .array(references))) }
        answer("/schemas/ids/\(id)", .object(body))
    }

    func setDown(_ isDown: Bool) { down.withLock { $0 = isDown } }

    func requests() -> [String] { log.withLock { $0 } }

    var client: SchemaRegistryClient {
        SchemaRegistryClient { path in
            self.log.withLock { $0.append(path) }
            if self.down.withLock({ $0 }) { throw Unreachable() }
            return self.answers.withLock { $0[path] }
                ?? RegistryResponse(
                    status: 404, body: (["error_code": 40403, "message": "Schema not found"] as JSON).serializedBytes())
        }
    }
}
