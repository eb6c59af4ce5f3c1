import JSON
import Synchronization

/// Looks schemas up by id in a Confluent-compatible schema registry and keeps them for the
/// process's life (an id never changes its schema), with schema references resolved.
///
/// The HTTP is behind `Fetch`, so tests and other transports plug in; `SchemaRegistryHTTP`
/// is the production one. Concurrent lookups of one id share one request. A 404 and transient
/// failures are not kept: the next record asks again.
public final class SchemaRegistryClient: Sendable {
    /// `GET path` on the registry (`/schemas/ids/42`). A thrown error is a transport failure
    /// (transient); its description goes into failure messages, so it must hold no secret.
    public typealias Fetch = @Sendable (_ path: String) async throws -> RegistryResponse

    /// Schema references nest at most this deep (a chain of subjects each referring to the next).
    public static let maxReferenceDepth = 16

    private let fetch: Fetch
    private let schemas = Mutex<[UInt32: Task<Result<RegistrySchema, RegistryFailure>, Never>]>([:])
    private let referenced = Mutex<[String: RegistryDocument]>([:])

    public init(fetch: @escaping Fetch) {
        self.fetch = fetch
    }

    /// The schema registered under `id`.
    /// - Throws: `RegistryFailure`: `unknown_schema` (404), `protobuf_unsupported`,
    ///   `invalid_schema`, or the transient `registry_unavailable`.
    public func schema(id: UInt32) async throws(RegistryFailure) -> RegistrySchema {
        let task = schemas.withLock { tasks in
            if let running = tasks[id] { return running }
            let task = Task { await self.load(id: id) }
            tasks[id] = task
            return task
        }
        let result = await task.value
        if case .failure(let failure) = result, failure.isTransient || failure.reason == .unknownSchema {
            schemas.withLock { tasks in
                if tasks[id] == task { tasks[id] = nil }
            }
        }
        return try result.get()
    }

    /// Ids whose schemas (or permanent failures) are kept.
    public func cachedIDs() -> [UInt32] { schemas.withLock { Array($0.keys) }.sorted() }

    private func load(id: UInt32) async -> Result<RegistrySchema, RegistryFailure> {
        do throws(RegistryFailure) {
            let path = "/schemas/ids/\(id)"
            let document = try RegistryDocument.read(try await get(path), path: path, what: "schema id \(id)")
            switch document.schemaType {
            case "AVRO":
                var known: [String: AvroType] = [:]
                var done: Set<String> = []
                for reference in document.references {
                    try await resolve(reference, known: &known, done: &done, chain: [], schemaID: id)
                }
                do {
                    return .success(
                        RegistrySchema(id: id, kind: .avro(try AvroSchema.parse(document.text, known: known))))
                } catch {
                    throw RegistryFailure(.invalidSchema, "the Avro schema of id \(id) cannot be read: \(error)")
                }
            case "JSON": return .success(RegistrySchema(id: id, kind: .json))
            case "PROTOBUF":
                throw RegistryFailure(
                    .protobufUnsupported,
                    "schema id \(id) is a Protobuf schema; this worker decodes Avro and JSON Schema records only")
            case let other:
                throw RegistryFailure(
                    .invalidSchema, "schema id \(id) has schemaType \"\(other)\", which is not AVRO, JSON or PROTOBUF")
            }
        } catch {
            return .failure(error)
        }
    }

    /// Reads the schemas `reference` needs, then its own, into `known` (dependencies first, as
    /// the registry's own parser does).
    private func resolve(
        _ reference: SchemaReference, known: inout [String: AvroType], done: inout Set<String>, chain: [String],
        schemaID: UInt32
    ) async throws(RegistryFailure) {
        let key = "subject \(reference.subject) version \(reference.version)"
        guard !done.contains(key) else { return }
        guard !chain.contains(key) else {
            throw RegistryFailure(
                .invalidSchema,
                "the references of schema id \(schemaID) form a cycle: \((chain + [key]).joined(separator: " → "))")
        }
        guard chain.count < Self.maxReferenceDepth else {
            throw RegistryFailure(
                .invalidSchema,
                "the references of schema id \(schemaID) nest deeper than \(Self.maxReferenceDepth) levels")
        }
        let document = try await referencedDocument(reference)
        guard document.schemaType == "AVRO" else {
            throw RegistryFailure(
                .invalidSchema,
                "schema id \(schemaID) refers to \(key) (\(reference.name)), a \(document.schemaType) schema, not Avro")
        }
        for inner in document.references {
            try await resolve(inner, known: &known, done: &done, chain: chain + [key], schemaID: schemaID)
        }
        do { known = try AvroSchema.parse(document.text, known: known).namedTypes } catch {
            throw RegistryFailure(
                .invalidSchema,
                "\(key), referenced by schema id \(schemaID) as \(reference.name), cannot be read: \(error)")
        }
        done.insert(key)
    }

    private func referencedDocument(_ reference: SchemaReference) async throws(RegistryFailure) -> RegistryDocument {
        let path = "/subjects/\(Self.percentEncoded(reference.subject))/versions/\(reference.version)"
        if let kept = referenced.withLock({ $0[path] }) { return kept }
        let what = "subject \(reference.subject) version \(reference.version) (referenced as \(reference.name))"
        let document = try RegistryDocument.read(try await get(path), path: path, what: what)
        referenced.withLock { $0[path] = document }
        return document
    }

    private func get(_ path: String) async throws(RegistryFailure) -> RegistryResponse {
        do { return try await fetch(path) } catch {
            throw RegistryFailure(.registryUnavailable, "GET \(path) on the schema registry failed: \(error)")
        }
    }

    /// A path segment with everything but RFC 3986's unreserved characters percent-encoded.
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out += "%"
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 0xF)])
            }
        }
        return out
    }
}
