import Foundation
import JSON
import SchemaRegistry
import Testing

/// The decoder against fastavro, an independent encoder: every case of
/// Fixtures/avro-cases.json (written by Fixtures/make_avro_fixtures.py) decodes to the JSON the
/// converter gives, and no prefix or extension of its bytes decodes at all.
@Suite struct AvroCrossCheckTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let schema: JSON
        let bytes: [UInt8]
        let expected: JSON
        var testDescription: String { name }
    }

    static let cases: [Case] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/avro-cases.json")
        guard let data = try? Data(contentsOf: url),
            case .array(let items) = try? JSON.parse(Array(data), maxDepth: 512)
        else { return [] }
        return items.map { item in
            Case(
                name: item["name"]?.string ?? "?", schema: item["schema"] ?? .null,
                bytes: hexBytes(item["hex"]?.string ?? ""), expected: item["expected"] ?? .null)
        }
    }()

    static func hexBytes(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16) ?? 0)
            index = next
        }
        return bytes
    }

    @Test func theFixturesAreThere() {
        // 502 when written; a shrunken file would make the checks below pass vacuously.
        #expect(Self.cases.count >= 500)
        #expect(Self.cases.contains { $0.name.hasPrefix("debezium customers envelope") })
    }

    @Test(arguments: cases) func decodesAsTheConverterWould(_ fixture: Case) throws {
        let schema = try AvroSchema.parse(json: fixture.schema)
        let decoded = try AvroDecoder(schema: schema).decode(fixture.bytes)
        #expect(
            decoded == fixture.expected,
            "\(fixture.name): got \(decoded.serialized()), expected \(fixture.expected.serialized())")
    }

    /// Every proper prefix is refused (with an error, never a crash), and so is one byte more.
    @Test func truncatedAndTrailingBytesAreErrors() throws {
        for fixture in Self.cases {
            let decoder = AvroDecoder(schema: try AvroSchema.parse(json: fixture.schema))
            for length in 0..<fixture.bytes.count {
                #expect(throws: AvroDecodeError.self, "\(fixture.name), first \(length) bytes") {
                    try decoder.decode(Array(fixture.bytes[..<length]))
                }
            }
            #expect(throws: AvroDecodeError.self, "\(fixture.name) with a trailing byte") {
                try decoder.decode(fixture.bytes + [0])
            }
        }
    }
}
