import JSON
import SchemaRegistry

/// Turns JSON events into Confluent-framed Avro as a producer's serializer would: one schema
/// per event shape (`AvroShape`), registered under `<topic>-value` (the default
/// TopicNameStrategy) the first time it is met, then the magic byte, the id and the Avro
/// binary. For `produce --avro` and `demo --avro`.
actor AvroFramer {
    private let http: SchemaRegistryHTTP
    private var ids: [String: UInt32] = [:]
    private(set) var registered = 0

    init(registry: SchemaRegistryHTTP.Options) {
        http = SchemaRegistryHTTP(options: registry)
    }

    /// `value` framed; `nil` when it is not JSON (sent as it is: a bad record stays bad).
    /// - Throws: when the registry refuses the schema or cannot be reached, or no Avro schema
    ///   keeps the value (`AvroEncodeError`, naming where).
    func frame(_ value: [UInt8], topic: String) async throws -> [UInt8]? {
        guard let json = try? JSON.parse(value) else { return nil }
        let schemaJSON = try AvroShape.schema(of: json, name: topic)
        let text = schemaJSON.serialized()
        let id: UInt32
        if let known = ids[topic + "\u{0}" + text] {
            id = known
        } else {
            id = try await http.register(subject: "\(topic)-value", schema: schemaJSON)
            ids[topic + "\u{0}" + text] = id
            registered += 1
        }
        let bytes = try AvroEncoder(schema: try AvroSchema.parse(text)).encode(json)
        return ConfluentFraming.header(schemaID: id) + bytes
    }

    func shutdown() async { try? await http.shutdown() }
}
