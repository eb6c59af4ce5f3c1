import Foundation
import JSON
import Logging
import PlatformSandbox
import SchemaRegistry
import Testing

/// The producer side (`produce --avro`, the demo): the encoder writes fastavro's bytes for every
/// fixture it can write, inferred schemas carry any JSON event there and back, and schemas
/// register with the stand-in over HTTP as a serializer registers them.
@Suite struct AvroEncoderTests {
    /// Every fixture without logical types, bytes or fixed (which the encoder refuses rather
    /// than guess) is written byte for byte as fastavro wrote it.
    @Test func writesFastavrosBytes() throws {
        var written = 0
        for fixture in AvroCrossCheckTests.cases {
            let encoder = AvroEncoder(schema: try AvroSchema.parse(json: fixture.schema))
            guard let bytes = try? encoder.encode(fixture.expected) else { continue }
            #expect(bytes == fixture.bytes, "\(fixture.name)")
            written += 1
        }
        // 200 of the 502 when written: a change that refuses everything must not pass.
        #expect(written >= 150, "only \(written) fixtures written")
    }

    @Test(arguments: [
        #"{"id": "evt-1", "type": "customer.created", "version": 3, "data": {"id": "cus_1", "name": "Ana", "groups": ["Customers", "VIP"], "fields": {"plan": "gold", "score": 12.5, "vip": true, "signup_date": null}}}"#,
        #"{"lead": {"id": 42, "contact": {"mobile": "+5582"}}, "tags": [], "extra": {"Odd key": [1, "two", null, {"a": 1}, {"a": 2}]}}"#,
        #"[{"x": 1}, {"x": 2}]"#,
        #""just text""#,
    ])
    func anyJSONEventGoesThereAndBack(_ text: String) throws {
        let json = try JSON.parse(Array(text.utf8))
        let schema = try AvroSchema.parse(json: try AvroShape.schema(of: json, name: "crm.lead-webhooks"))
        let bytes = try AvroEncoder(schema: schema).encode(json)
        #expect(try AvroDecoder(schema: schema).decode(bytes) == json)
    }

    @Test func aMixOfDifferentObjectsInOneArrayIsRefusedWithWhere() throws {
        let json = try JSON.parse(Array(#"{"items": [{"a": 1}, {"b": 2}]}"#.utf8))
        #expect(throws: AvroEncodeError.self) { try AvroShape.schema(of: json, name: "t") }
    }

    @Test func schemasRegisterWithTheStandInAndDecodeBack() async throws {
        let standIn = try await SchemaRegistryStandIn.start(
            logger: Logger(label: "encoder-tests") { _ in SwiftLogNoOpLogHandler() })
        let http = SchemaRegistryHTTP(options: .init(url: standIn.baseURL))
        let event = try JSON.parse(Array(#"{"id": "cus_1", "name": "Ana"}"#.utf8))
        let schema = try AvroShape.schema(of: event, name: "customers")
        let id = try await http.register(subject: "customers-value", schema: schema)
        #expect(try await http.register(subject: "customers-value", schema: schema) == id, "same schema, same id")
        let other = try AvroShape.schema(of: try JSON.parse(Array(#"{"id": "cus_2"}"#.utf8)), name: "customers")
        #expect(try await http.register(subject: "customers-value", schema: other) != id)
        let framed =
            ConfluentFraming.header(schemaID: id)
            + (try AvroEncoder(schema: try AvroSchema.parse(json: schema)).encode(event))
        guard
            case .decoded(let decoded) = await RecordDecoding(registry: SchemaRegistryClient(http: http)).decode(framed)
        else {
            Issue.record("the registered schema did not decode the record")
            return
        }
        #expect(decoded.json == event)
        try await http.shutdown()
        await standIn.shutdown()
    }
}
