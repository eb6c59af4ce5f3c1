public import JSON

/// The one step decoders take before JSON: a key or value in the Confluent framing is decoded
/// through the registry into JSON text; anything else is handed on unchanged.
///
/// With no registry configured every record is handed on unchanged (a framed one then fails
/// as the JSON it is not). Plugging in: build the `InboundRecord` from `RecordOutcome.ready`'s
/// key and value and decode it as before; dead-letter `permanent` with its reason; hold the
/// record and retry on `transient`.
public struct RecordDecoding: Sendable {
    /// Which part of a record the bytes are (named in failure messages).
    public enum Part: String, Sendable {
        case key
        case value
    }

    /// A framed payload, decoded.
    public struct Decoded: Sendable {
        public enum Format: String, Sendable {
            case avro
            case jsonSchema = "json_schema"
        }

        public let schemaID: UInt32
        public let format: Format
        /// JSON text, what the event decoders read.
        public let bytes: [UInt8]
        /// The tree `bytes` was written from (Avro); `nil` for JSON Schema, whose payload is
        /// handed on as it came, unparsed.
        public let json: JSON?
    }

    public enum Outcome: Sendable {
        /// Not in the Confluent framing, or no registry configured: use the bytes as they are.
        case unchanged
        case decoded(Decoded)
        /// Dead-letter the record with `failure.reason`.
        case permanent(RegistryFailure)
        /// The registry could not be asked: keep the record and try again later.
        case transient(RegistryFailure)
    }

    /// A whole record: the bytes its decoder should see, or why it cannot get them.
    public enum RecordOutcome: Sendable {
        case ready(key: [UInt8]?, value: [UInt8]?)
        case permanent(RegistryFailure)
        case transient(RegistryFailure)
    }

    public let registry: SchemaRegistryClient?
    public let limits: AvroDecoder.Limits

    public init(registry: SchemaRegistryClient?, limits: AvroDecoder.Limits = AvroDecoder.Limits()) {
        self.registry = registry
        self.limits = limits
    }

    /// Decodes one key or value.
    public func decode(_ bytes: [UInt8], part: Part = .value) async -> Outcome {
        guard let registry, let framing = ConfluentFraming.read(bytes) else { return .unchanged }
        let id = framing.schemaID
        let schema: RegistrySchema
        do { schema = try await registry.schema(id: id) } catch {
            let failure = RegistryFailure(error.reason, "the record \(part.rawValue): \(error.message)")
            return error.isTransient ? .transient(failure) : .permanent(failure)
        }
        switch schema.kind {
        case .json:
            let payload = Array(bytes[ConfluentFraming.headerSize...])
            return .decoded(Decoded(schemaID: id, format: .jsonSchema, bytes: payload, json: nil))
        case .protobuf:
            return .permanent(
                RegistryFailure(
                    .protobufUnsupported,
                    "the record \(part.rawValue): schema id \(id) is a Protobuf schema; "
                        + "this worker decodes Avro and JSON Schema records only"))
        case .avro(let avro):
            do {
                let json = try AvroDecoder(schema: avro, limits: limits).decode(
                    bytes, from: ConfluentFraming.headerSize)
                return .decoded(Decoded(schemaID: id, format: .avro, bytes: json.serializedBytes(), json: json))
            } catch {
                return .permanent(
                    RegistryFailure(
                        .undecodableAvro,
                        "the record \(part.rawValue) does not decode with schema id \(id) (\(avro.root.typeName)) \(error)"
                    ))
            }
        }
    }

    /// Decodes a record's key and value. A permanent failure of either wins over a transient
    /// one of the other: the record will be dead-lettered whatever the registry says later.
    public func decode(key: [UInt8]?, value: [UInt8]?) async -> RecordOutcome {
        var keyOutcome: Outcome?
        if let key { keyOutcome = await decode(key, part: .key) }
        var valueOutcome: Outcome?
        if let value { valueOutcome = await decode(value, part: .value) }
        var transient: RegistryFailure?
        for outcome in [keyOutcome, valueOutcome] {
            switch outcome {
            case .permanent(let failure)?: return .permanent(failure)
            case .transient(let failure)?: transient = transient ?? failure
            default: continue
            }
        }
        if let transient { return .transient(transient) }
        return .ready(key: Self.bytes(keyOutcome, original: key), value: Self.bytes(valueOutcome, original: value))
    }

    private static func bytes(_ outcome: Outcome?, original: [UInt8]?) -> [UInt8]? {
        if case .decoded(let decoded)? = outcome { decoded.bytes } else { original }
    }
}
