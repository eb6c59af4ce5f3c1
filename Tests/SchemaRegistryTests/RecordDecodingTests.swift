import JSON
import SchemaRegistry
import Testing

/// The decoders' entry point: framed keys and values become JSON text, the rest passes as it is.
@Suite struct RecordDecodingTests {
    static let row = """
        {"type": "record", "name": "Row", "fields": [
          {"name": "id", "type": "long"}, {"name": "email", "type": ["null", "string"]},
          {"name": "birth", "type": ["null", {"type": "int", "connect.name": "io.debezium.time.Date"}]}]}
        """

    func framed(_ id: UInt32, _ payload: [UInt8]) -> [UInt8] { ConfluentFraming.header(schemaID: id) + payload }

    func registry() -> FakeRegistry {
        let registry = FakeRegistry()
        registry.schema(id: 10, Self.row)
        registry.schema(id: 11, #"{"type": "record", "name": "Key", "fields": [{"name": "id", "type": "long"}]}"#)
        registry.schema(id: 12, #"{"type": "object"}"#, type: "JSON")
        registry.schema(id: 13, "syntax = \"proto3\";", type: "PROTOBUF")
        return registry
    }

    static let rowBytes = AvroBytes.long(1001) + [0x02] + AvroBytes.string("a@example.com") + [0x02] + AvroBytes.long(0)

    @Test func framing() {
        #expect(ConfluentFraming.read([0, 0, 0, 1, 2, 9]) == ConfluentFraming(schemaID: 258))
        #expect(ConfluentFraming.read([0, 0xFF, 0xFF, 0xFF, 0xFF]) == ConfluentFraming(schemaID: .max))
        #expect(ConfluentFraming.read([0, 0, 0, 1]) == nil)
        #expect(ConfluentFraming.read(Array(#"{"id": 1}"#.utf8)) == nil)
        #expect(ConfluentFraming.header(schemaID: 0x0102_0304) == [0, 1, 2, 3, 4])
    }

    @Test func avroBecomesJSONText() async throws {
        let decoding = RecordDecoding(registry: registry().client)
        guard case .decoded(let decoded) = await decoding.decode(framed(10, Self.rowBytes)) else {
            Issue.record("not decoded")
            return
        }
        #expect(decoded.schemaID == 10)
        #expect(decoded.format == .avro)
        #expect(
            String(decoding: decoded.bytes, as: UTF8.self)
                == #"{"id":1001,"email":"a@example.com","birth":"1970-01-01"}"#)
        #expect(decoded.json == (try JSON.parse(decoded.bytes)))
    }

    @Test func jsonSchemaPayloadsPassAsTheyCame() async {
        let payload = Array(#"{"id": 1, "name": "Ana"}"#.utf8)
        guard case .decoded(let decoded) = await RecordDecoding(registry: registry().client).decode(framed(12, payload))
        else {
            Issue.record("not decoded")
            return
        }
        #expect(decoded.format == .jsonSchema)
        #expect(decoded.bytes == payload)
        #expect(decoded.json == nil)
    }

    @Test func unframedBytesOrNoRegistryLeaveTheBytesAlone() async {
        let plain = Array(#"{"id": 1}"#.utf8)
        guard case .unchanged = await RecordDecoding(registry: registry().client).decode(plain) else {
            Issue.record("plain JSON was touched")
            return
        }
        guard case .unchanged = await RecordDecoding(registry: nil).decode(framed(10, Self.rowBytes)) else {
            Issue.record("decoded without a registry")
            return
        }
    }

    @Test func permanentFailuresCarryTheirReasonAndPlace() async {
        let decoding = RecordDecoding(registry: registry().client)
        guard case .permanent(let undecodable) = await decoding.decode(framed(10, Array(Self.rowBytes.dropLast(3))))
        else {
            Issue.record("truncated Avro decoded")
            return
        }
        #expect(undecodable.reason == .undecodableAvro)
        #expect(
            undecodable.message
                == "the record value does not decode with schema id 10 (Row) at byte 9, reading the string of email: the length says 13 bytes, 12 remain"
        )
        guard case .permanent(let unknown) = await decoding.decode(framed(99, [0]), part: .key) else {
            Issue.record("unknown id accepted")
            return
        }
        #expect(unknown.reason == .unknownSchema)
        #expect(unknown.message.hasPrefix("the record key: schema id 99 is not in the schema registry"))
        guard case .permanent(let protobuf) = await decoding.decode(framed(13, [0, 2])) else {
            Issue.record("Protobuf accepted")
            return
        }
        #expect(protobuf.reason == .protobufUnsupported)
    }

    @Test func wholeRecords() async {
        let registry = registry()
        let decoding = RecordDecoding(registry: registry.client)
        let key = framed(11, AvroBytes.long(1001))
        guard
            case .ready(let readyKey, let readyValue) = await decoding.decode(
                key: key, value: framed(10, Self.rowBytes))
        else {
            Issue.record("not ready")
            return
        }
        #expect(readyKey.map { String(decoding: $0, as: UTF8.self) } == #"{"id":1001}"#)
        #expect(readyValue.map { String(decoding: $0, as: UTF8.self) }?.hasPrefix(#"{"id":1001"#) == true)
        // A tombstone keeps its null value; a plain key stays as it is.
        guard case .ready(let plainKey, nil) = await decoding.decode(key: Array("k".utf8), value: nil) else {
            Issue.record("tombstone not ready")
            return
        }
        #expect(plainKey == Array("k".utf8))
        // A permanent failure of the value wins over a transient one of the key.
        let outage = FakeRegistry()
        outage.schema(id: 10, Self.row)
        let partly = RecordDecoding(registry: outage.client)
        _ = await partly.decode(framed(10, Self.rowBytes))  // id 10 now kept
        outage.setDown(true)
        guard case .permanent(let failure) = await partly.decode(key: framed(11, [2]), value: framed(10, [0x02])) else {
            Issue.record("not permanent")
            return
        }
        #expect(failure.reason == .undecodableAvro)
        guard case .transient(let waiting) = await partly.decode(key: framed(11, [2]), value: framed(10, Self.rowBytes))
        else {
            Issue.record("not transient")
            return
        }
        #expect(waiting.reason == .registryUnavailable)
        #expect(waiting.message.hasPrefix("the record key: "))
    }
}
