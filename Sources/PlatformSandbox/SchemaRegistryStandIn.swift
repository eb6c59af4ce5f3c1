import Foundation
import Hummingbird
import JSON
public import Logging
import ServiceLifecycle
import Synchronization

/// A Confluent-compatible schema registry stand-in for tests and the demo: serves
/// `GET /schemas/ids/{id}` and `GET /subjects/{subject}/versions/{version}` from memory, takes
/// `POST /subjects/{subject}/versions` as producers' serializers register schemas, answers
/// 404 with the registry's error bodies, and can be switched into an outage (503), a registry
/// that knows nothing (404), slow answers, or one that demands credentials.
public final class SchemaRegistryStandIn: Sendable {
    /// What every request meets before its lookup.
    public enum Mode: Sendable, Equatable {
        case serving
        /// Every request answers 503 with error code 50003, as a registry whose store is down.
        case unavailable
        /// Every request answers 404 with error code 40403, as a registry that lost its store.
        case knowsNothing
    }

    public struct Reference: Sendable, Equatable {
        public let name: String
        public let subject: String
        public let version: Int
        public init(name: String, subject: String, version: Int) {
            self.name = name
            self.subject = subject
            self.version = version
        }
    }

    struct Entry: Sendable {
        let id: Int
        let schema: String
        let schemaType: String
        let references: [Reference]
    }

    struct State: Sendable {
        var byID: [Int: Entry] = [:]
        var bySubject: [String: [Int: Entry]] = [:]
        var mode = Mode.serving
        var latency = Duration.zero
        var requiredAuthorization: String?
        var requests: [String] = []
    }

    /// `http://127.0.0.1:PORT`, what a registry client is given as its URL.
    public let baseURL: String
    public let port: Int
    let core: RegistryStandInCore
    private let services: ServiceGroup
    private let server: Task<Void, any Error>

    private init(
        baseURL: String, port: Int, core: RegistryStandInCore, services: ServiceGroup, server: Task<Void, any Error>
    ) {
        self.baseURL = baseURL
        self.port = port
        self.core = core
        self.services = services
        self.server = server
    }

    /// Starts listening on `host:port` (0 for a free port) and returns once bound.
    /// - Throws: `SandboxStartError` when the address cannot be bound.
    public static func start(host: String = "127.0.0.1", port: Int = 0, logger: Logger) async throws
        -> SchemaRegistryStandIn
    {
        let core = RegistryStandInCore()
        let bound = BoundPort()
        let app = Application(
            responder: RegistryStandInResponder(core: core),
            configuration: .init(address: .hostname(host, port: port), serverName: "schema-registry-stand-in"),
            onServerRunning: { channel in bound.resolve(.success(channel.localAddress?.port ?? port)) },
            logger: logger
        )
        let services = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let server = Task {
            do {
                try await services.run()
                bound.resolve(
                    .failure(SandboxStartError(host: host, port: port, reason: "the server stopped before listening")))
            } catch {
                bound.resolve(.failure(SandboxStartError(host: host, port: port, reason: "\(error)")))
                throw error
            }
        }
        let boundPort: Int
        do { boundPort = try await bound.value() } catch {
            server.cancel()
            throw error
        }
        let shownHost = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
        return SchemaRegistryStandIn(
            baseURL: "http://\(shownHost):\(boundPort)", port: boundPort, core: core, services: services,
            server: server)
    }

    /// Registers `schema` under `id` and, when given, as `version` of `subject` (for references).
    /// `schemaType` is `AVRO` (left out of answers, as the registry does), `JSON` or `PROTOBUF`.
    public func register(
        id: Int, schema: String, schemaType: String = "AVRO", references: [Reference] = [],
        subject: String? = nil, version: Int = 1
    ) {
        let entry = Entry(id: id, schema: schema, schemaType: schemaType, references: references)
        core.state.withLock { state in
            state.byID[id] = entry
            if let subject { state.bySubject[subject, default: [:]][version] = entry }
        }
    }

    /// Registers `schema` under `subject` as a producer would: the id it has already (the same
    /// text under any subject), else the next free id; a new version of the subject either way
    /// unless it holds the schema already.
    @discardableResult
    public func register(subject: String, schema: String) -> Int {
        core.register(subject: subject, schema: schema)
    }

    public func setMode(_ mode: Mode) { core.state.withLock { $0.mode = mode } }

    /// A delay before every answer (for timeout tests).
    public func setLatency(_ latency: Duration) { core.state.withLock { $0.latency = latency } }

    /// The `Authorization` header every request must carry (`Basic …`, `Bearer …`); `nil` for none.
    public func requireAuthorization(_ value: String?) { core.state.withLock { $0.requiredAuthorization = value } }

    /// Paths requested so far, in order.
    public func requests() -> [String] { core.state.withLock { $0.requests } }

    /// Stops listening, lets requests in flight finish, and waits for the server to end.
    public func shutdown() async {
        await services.triggerGracefulShutdown()
        _ = await server.result
    }
}

/// What the responder shares with the stand-in's controls.
final class RegistryStandInCore: Sendable {
    let state = Mutex(SchemaRegistryStandIn.State())

    func register(subject: String, schema: String) -> Int {
        state.withLock { state in
            let id =
                state.byID.values.first { $0.schema == schema && $0.schemaType == "AVRO" }?.id
                ?? (state.byID.keys.max() ?? 0) + 1
            let entry = SchemaRegistryStandIn.Entry(id: id, schema: schema, schemaType: "AVRO", references: [])
            state.byID[id] = entry
            var versions = state.bySubject[subject, default: [:]]
            if !versions.values.contains(where: { $0.id == id }) { versions[(versions.keys.max() ?? 0) + 1] = entry }
            state.bySubject[subject] = versions
            return id
        }
    }

    /// `POST /subjects/{subject}/versions` with `{"schema": "…"}`: the schema's id.
    func answerPost(path: String, body: [UInt8], authorization: String?) -> (status: Int, body: JSON) {
        let (mode, required) = state.withLock { state in
            state.requests.append("POST " + path)
            return (state.mode, state.requiredAuthorization)
        }
        if let required, authorization != required { return (401, ["error_code": 401, "message": "Unauthorized"]) }
        guard mode == .serving else {
            return (503, ["error_code": 50003, "message": "Error while forwarding the request to the leader"])
        }
        let parts = path.split(separator: "/").map { $0.removingPercentEncoding ?? String($0) }
        guard parts.count == 3, parts[0] == "subjects", parts[2] == "versions" else {
            return (404, ["error_code": 404, "message": "HTTP 404 Not Found"])
        }
        guard let request = try? JSON.parse(body), let text = request["schema"]?.string,
            (try? JSON.parse(Array(text.utf8))) != nil
        else {
            return (
                422, ["error_code": 42201, "message": "Either the input schema or one of its references is invalid"]
            )
        }
        return (200, ["id": JSON(register(subject: parts[1], schema: text))])
    }

    /// The status and body for a `GET` of `path`, after the mode and the credentials.
    func answer(path: String, authorization: String?) -> (status: Int, body: JSON) {
        let (mode, required, byID, bySubject) = state.withLock { state in
            state.requests.append(path)
            return (state.mode, state.requiredAuthorization, state.byID, state.bySubject)
        }
        if let required, authorization != required {
            return (401, ["error_code": 401, "message": "Unauthorized"])
        }
        switch mode {
        case .unavailable:
            return (503, ["error_code": 50003, "message": "Error while forwarding the request to the leader"])
        case .knowsNothing: return (404, ["error_code": 40403, "message": "Schema not found"])
        case .serving: break
        }
        let parts = path.split(separator: "/").map { $0.removingPercentEncoding ?? String($0) }
        switch parts.count {
        case 3 where parts[0] == "schemas" && parts[1] == "ids":
            guard let id = Int(parts[2]), let entry = byID[id] else {
                return (404, ["error_code": 40403, "message": .string("Schema \(parts[2]) not found")])
            }
            return (200, Self.body(entry, extra: []))
        case 4 where parts[0] == "subjects" && parts[2] == "versions":
            guard let versions = bySubject[parts[1]] else {
                return (404, ["error_code": 40401, "message": .string("Subject '\(parts[1])' not found.")])
            }
            let version = parts[3] == "latest" ? versions.keys.max() : Int(parts[3])
            guard let version, let entry = versions[version] else {
                return (404, ["error_code": 40402, "message": .string("Version \(parts[3]) not found.")])
            }
            return (200, Self.body(entry, extra: [("subject", .string(parts[1])), ("version", JSON(version))]))
        default:
            return (404, ["error_code": 404, "message": "HTTP 404 Not Found"])
        }
    }

    static func body(_ entry: SchemaRegistryStandIn.Entry, extra: [(String, JSON)]) -> JSON {
        var members = extra + [("id", JSON(entry.id)), ("schema", .string(entry.schema))]
        if entry.schemaType != "AVRO" { members.append(("schemaType", .string(entry.schemaType))) }
        if !entry.references.isEmpty {
            let list = entry.references.map { reference -> JSON in
                [
                    "name": .string(reference.name), "subject": .string(reference.subject),
                    "version": JSON(reference.version),
                ]
            }
            members.append(("references", .array(list)))
        }
        return .object(members)
    }
}

struct RegistryStandInResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let core: RegistryStandInCore

    func respond(to request: Request, context: Context) async throws -> Response {
        let latency = core.state.withLock { $0.latency }
        if latency > .zero { try await Task.sleep(for: latency, tolerance: .zero) }
        if request.method == .post {
            let body = try await request.body.collect(upTo: 1 << 20)
            let (status, answer) = core.answerPost(
                path: request.uri.path, body: Array(body.readableBytesView),
                authorization: request.headers[.authorization])
            return Self.response(status, answer)
        }
        guard request.method == .get else {
            return Self.response(405, ["error_code": 405, "message": "HTTP 405 Method Not Allowed"])
        }
        let (status, body) = core.answer(path: request.uri.path, authorization: request.headers[.authorization])
        return Self.response(status, body)
    }

    static func response(_ status: Int, _ body: JSON) -> Response {
        Response(
            status: HTTPResponse.Status(code: status),
            headers: [.contentType: "application/vnd.schemaregistry.v1+json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body.serialized())))
    }
}
