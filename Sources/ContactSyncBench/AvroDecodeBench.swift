import Foundation
import JSON
import SchemaRegistry
import SyncCore

/// Decode rate of Debezium change events on one core, Avro beside JSON: the same 64 events
/// (fastavro's framed bytes and their JsonConverter twins, Tests/SyncWorkerTests/Fixtures),
/// each decoded as the worker does it: through `RecordDecoding` (schemas kept after the first
/// lookup, as in a running worker) and then the example mapping's Debezium decoder.
enum AvroDecodeBench {
    static let count = 200_000

    struct Fixtures: Decodable {
        struct Record: Decodable {
            let key: String
            let value: String?
            let json: String?
        }
        let topic: String
        let keySchemaId: UInt32
        let valueSchemaId: UInt32
        let keySchema: String
        let valueSchema: String
        let bench: [Record]
    }

    static func run() async throws -> [Bench.Row] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let fixtures = try decoder.decode(
            Fixtures.self,
            from: Data(contentsOf: root.appendingPathComponent("Tests/SyncWorkerTests/Fixtures/debezium-avro.json")))
        let mapping = try String(contentsOf: root.appendingPathComponent("examples/mappings.yaml"), encoding: .utf8)
        let events = EventDecoder(configuration: try DecoderConfiguration(mappingYAML: mapping, file: "mappings.yaml"))
        let schemas = [fixtures.keySchemaId: fixtures.keySchema, fixtures.valueSchemaId: fixtures.valueSchema]
        let registry = SchemaRegistryClient { path in
            let id = UInt32(path.split(separator: "/").last ?? "") ?? 0
            let body: JSON = ["schema": .string(schemas[id] ?? "")]
            return RegistryResponse(status: schemas[id] == nil ? 404 : 200, body: body.serializedBytes())
        }
        let decoding = RecordDecoding(registry: registry)

        let avro = fixtures.bench.map { (hex($0.key), $0.value.map(hex)) }
        // The fixtures' bench rows are ids 100, 101, …: the key JsonConverter would write.
        let json = fixtures.bench.enumerated().map { index, record in
            (Array(#"{"id": \#(100 + index)}"#.utf8), record.json.map { Array($0.utf8) })
        }
        // Schemas fetched once before timing, as a running worker has them.
        _ = await decoding.decode(key: avro[0].0, value: avro[0].1)

        let clock = ContinuousClock()
        var changes = 0
        let avroTime = await clock.measure {
            for n in 0..<count {
                let (key, value) = avro[n % avro.count]
                guard case .ready(let k, let v) = await decoding.decode(key: key, value: value) else { continue }
                let record = InboundRecord(topic: fixtures.topic, offset: Int64(n), key: k, value: v)
                if case .change = events.decode(record) { changes += 1 }
            }
        }
        precondition(changes == count, "every Avro bench event decodes to a change (\(changes) of \(count))")
        changes = 0
        let jsonTime = clock.measure {
            for n in 0..<count {
                let (key, value) = json[n % json.count]
                let record = InboundRecord(topic: fixtures.topic, offset: Int64(n), key: key, value: value)
                if case .change = events.decode(record) { changes += 1 }
            }
        }
        precondition(changes == count, "every JSON bench event decodes to a change")
        let avroRate = rate(count, avroTime)
        let jsonRate = rate(count, jsonTime)
        let avroSize = avro.map { $0.1?.count ?? 0 }.reduce(0, +) / avro.count
        let jsonSize = json.map { $0.1?.count ?? 0 }.reduce(0, +) / json.count
        return [
            .init(
                name: "decode (Debezium JSON, example mapping, \(jsonSize) B mean, one core; 1 run)",
                figure: "\(formatted(jsonRate)) events/s", target: "–", beside: "\(count) events", met: nil),
            .init(
                name:
                    "decode (Debezium Avro, Confluent-framed, schemas cached, then the same decoder, \(avroSize) B mean, one core; 1 run)",
                figure: "\(formatted(avroRate)) events/s", target: "–",
                beside: "\(String(format: "%.2f", avroRate / jsonRate))× the JSON twin", met: nil),
        ]
    }

    static func hex(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            out.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return out
    }
}
