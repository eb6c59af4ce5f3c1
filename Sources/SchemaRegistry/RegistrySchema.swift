/// A schema as the registry holds it under an id, read into what decoding needs.
public struct RegistrySchema: Sendable {
    public enum Kind: Sendable {
        case avro(AvroSchema)
        /// JSON Schema: the payload is JSON text, handed on as it is.
        case json
        /// Protobuf: refused (`protobuf_unsupported`).
        case protobuf
    }

    public let id: UInt32
    public let kind: Kind

    public init(id: UInt32, kind: Kind) {
        self.id = id
        self.kind = kind
    }
}

/// One schema reference of a registry answer: the named types of `subject` at `version` are
/// visible to the referring schema.
public struct SchemaReference: Sendable, Equatable {
    public let name: String
    public let subject: String
    public let version: Int

    public init(name: String, subject: String, version: Int) {
        self.name = name
        self.subject = subject
        self.version = version
    }
}

/// An HTTP answer from the registry, as any fetcher hands it over.
public struct RegistryResponse: Sendable {
    public let status: Int
    public let body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}
