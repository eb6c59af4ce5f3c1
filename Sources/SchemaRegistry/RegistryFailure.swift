/// Why a framed record could not be decoded. `reason` is stable (dead-letter headers,
/// dashboards); `message` names the schema id, the part of the record and what went wrong.
/// Only `registryUnavailable` is transient: the record waits and is tried again.
public struct RegistryFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable, CaseIterable {
        /// The registry answers 404 for the schema id (or a schema it references).
        case unknownSchema = "unknown_schema"
        /// The bytes do not decode with the writer's schema.
        case undecodableAvro = "undecodable_avro"
        /// The schema is a Protobuf one: not decoded by this worker.
        case protobufUnsupported = "protobuf_unsupported"
        /// The registry's schema text is not a schema this decoder can read.
        case invalidSchema = "invalid_schema"
        /// The registry could not be asked: unreachable, 5xx, timed out, refused credentials.
        case registryUnavailable = "registry_unavailable"
    }

    public let reason: Reason
    public let message: String

    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    /// True when trying again later may succeed (the registry was not reachable or healthy).
    public var isTransient: Bool { reason == .registryUnavailable }

    public var description: String { "\(reason.rawValue): \(message)" }
}
