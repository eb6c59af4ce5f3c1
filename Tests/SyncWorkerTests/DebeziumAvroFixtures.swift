import Foundation

/// Fixtures/debezium-avro.json (written by Fixtures/make_debezium_avro_fixtures.py): Debezium
/// change events of a Postgres customers table, Avro-encoded and framed by fastavro.
struct DebeziumAvroFixtures: Decodable {
    struct Record: Decodable {
        let name: String
        /// Hex of the framed key and value (`nil`: a tombstone).
        let key: String
        let value: String?
        var keyBytes: [UInt8] { Self.bytes(key) }
        var valueBytes: [UInt8]? { value.map(Self.bytes) }

        static func bytes(_ hex: String) -> [UInt8] {
            var out: [UInt8] = []
            var index = hex.startIndex
            while index < hex.endIndex {
                let next = hex.index(index, offsetBy: 2)
                out.append(UInt8(hex[index..<next], radix: 16)!)
                index = next
            }
            return out
        }
    }

    let topic: String
    let keySchemaId: Int
    let valueSchemaId: Int
    let unknownSchemaId: Int
    let keySchema: String
    let valueSchema: String
    let records: [Record]

    static func load() throws -> DebeziumAvroFixtures {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/debezium-avro.json")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(DebeziumAvroFixtures.self, from: Data(contentsOf: url))
    }
}
