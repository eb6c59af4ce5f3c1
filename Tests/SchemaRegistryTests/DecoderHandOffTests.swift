import JSON
import SchemaRegistry
import SyncCore
import Testing

/// What `RecordDecoding` hands on is what the event decoders already take: an Avro Debezium
/// record (fastavro's bytes, framed) becomes the same contact change as its JSON twin.
@Suite struct DecoderHandOffTests {
    @Test func anAvroDebeziumRecordBecomesAContactChange() async throws {
        let registry = FakeRegistry()
        let envelope = try #require(AvroCrossCheckTests.cases.first { $0.name == "debezium customers envelope op=u" })
        let key = try #require(AvroCrossCheckTests.cases.first { $0.name == "debezium customers key" })
        registry.schema(id: 21, envelope.schema.serialized())
        registry.schema(id: 22, key.schema.serialized())
        let outcome = await RecordDecoding(registry: registry.client).decode(
            key: ConfluentFraming.header(schemaID: 22) + key.bytes,
            value: ConfluentFraming.header(schemaID: 21) + envelope.bytes)
        guard case .ready(let keyBytes, let valueBytes) = outcome else {
            Issue.record("not decoded: \(outcome)")
            return
        }
        let decoder = EventDecoder(
            configuration: DecoderConfiguration(topics: ["dbserver1.public.customers": .init(format: .debezium)]))
        let avro = decoder.decode(
            InboundRecord(topic: "dbserver1.public.customers", offset: 3, key: keyBytes, value: valueBytes))
        let json = decoder.decode(
            InboundRecord(
                topic: "dbserver1.public.customers", offset: 3, key: Array(#"{"id": 1001}"#.utf8),
                value: envelope.expected.serializedBytes()))
        #expect(avro == json)
        guard case .change(let change) = avro, case .upsert(let patch) = change.action else {
            Issue.record("not an upsert: \(avro)")
            return
        }
        #expect(change.entityKey == "ext:1002")
        #expect(change.version == .sequence(34_567))
        #expect(patch.email == .set(try URN(parsing: "mailto:ana.silva@example.com")))
        #expect(patch.phone == .set(try URN(parsing: "tel:+5582999990000")))
    }
}
