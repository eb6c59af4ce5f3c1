import SchemaRegistry

/// What `dlq inspect --show-value` prints for a record's value: its text, or for a
/// Confluent-framed (Avro, JSON Schema) value the JSON it decodes to through the configured
/// schema registry, so a person reads the event rather than binary.
struct DeadLetterValue: Sendable {
    private let http: SchemaRegistryHTTP?
    private let decoding: RecordDecoding?

    init(registry: SchemaRegistryHTTP.Options?) {
        http = registry.map { SchemaRegistryHTTP(options: $0) }
        decoding = http.map { RecordDecoding(registry: SchemaRegistryClient(http: $0)) }
    }

    /// The value as text (not yet masked or escaped: the caller's cleaner does that).
    func text(_ value: [UInt8]?) async -> String {
        guard let value else { return "null" }
        guard let framing = ConfluentFraming.read(value) else { return String(decoding: value, as: UTF8.self) }
        let what = "Confluent-framed, schema id \(framing.schemaID)"
        guard let decoding else { return "(\(what): set schema_registry.url to decode it)" }
        switch await decoding.decode(value, part: .value) {
        case .decoded(let decoded): return String(decoding: decoded.bytes, as: UTF8.self)
        case .permanent(let failure), .transient(let failure): return "(\(what), not decoded: \(failure))"
        case .unchanged: return String(decoding: value, as: UTF8.self)
        }
    }

    func shutdown() async { try? await http?.shutdown() }
}
