import ArgumentParser
import Foundation
import JSON
import Kafka
import Logging
import SchemaRegistry
import SyncCore

/// `contact-sync produce`: sends sample events or a file of JSON lines, keyed by entity.
struct ProduceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Sends sample events, or a file of JSON lines, to a topic (keyed by entity id).",
        discussion: """
            Each line's key is its entity id (data.id, after.id or id), so one entity's events stay in order.

            Examples:
              contact-sync produce --bootstrap-servers 127.0.0.1:39092 --sample
              contact-sync produce --bootstrap-servers 127.0.0.1:39092 --topic customers --file events.jsonl
              contact-sync produce --bootstrap-servers 127.0.0.1:39092 --sample --avro \
                --schema-registry http://127.0.0.1:8081     # e.g. contact-sync sandbox --registry-port 8081

            With --avro each JSON value is sent as Confluent-framed Avro: a schema per event shape, registered \
            under <topic>-value; keys stay plain text, and lines that are not JSON are sent as they are.
            """
    )

    @Option(name: .customLong("bootstrap-servers"), help: "Kafka brokers.")
    var bootstrapServers = "localhost:9092"

    @Option(help: "Topic for --file (sample events name their own topics: customers, leads).")
    var topic: String?

    @Option(help: "A file of JSON lines, one event per line.")
    var file: String?

    @Flag(help: "Send the demo's sample events.")
    var sample = false

    @Flag(help: "Send values as Confluent-framed Avro, registering their schemas (needs --schema-registry).")
    var avro = false

    @Option(
        name: .customLong("schema-registry"),
        help: "Schema registry URL for --avro (https://key:secret@host for basic auth).")
    var schemaRegistry: String?

    func validate() throws {
        guard sample || file != nil else { throw ValidationError("give --sample or --file FILE (with --topic)") }
        if file != nil && topic == nil { throw ValidationError("--file needs --topic") }
        if avro && schemaRegistry == nil {
            throw ValidationError(
                "--avro needs --schema-registry URL (contact-sync sandbox --registry-port serves one)")
        }
    }

    func run() async throws {
        var logger = Logger(label: "produce")
        logger.logLevel = .warning
        let producer = try KafkaProducer(properties: ["bootstrap.servers": bootstrapServers], logger: logger)
        var sent = 0
        let framer = avro ? schemaRegistry.map { AvroFramer(registry: .init(url: $0)) } : nil
        func value(_ bytes: [UInt8], _ topic: String) async throws -> [UInt8] {
            guard let framer else { return bytes }
            return try await framer.frame(bytes, topic: topic) ?? bytes
        }
        if sample {
            for event in SampleEvents.make() {
                try await producer.send(
                    topic: event.topic, key: Array(event.key.utf8),
                    value: try await value(Array(event.value.utf8), event.topic))
                sent += 1
            }
        }
        if let file, let topic {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ValidationError("cannot read \(file)")
            }
            for (index, line) in text.split(separator: "\n").enumerated()
            where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                let bytes = Array(line.utf8)
                guard let json = try? JSON.parse(bytes) else { throw ValidationError("\(file):\(index + 1): not JSON") }
                let key =
                    (json["data"]?["id"] ?? json["after"]?["id"] ?? json["payload"]?["after"]?["id"] ?? json["id"])?
                    .scalarText
                try await producer.send(
                    topic: topic, key: key.map { Array($0.utf8) }, value: try await value(bytes, topic))
                sent += 1
            }
        }
        await producer.close()
        if let framer {
            await framer.shutdown()
            print("sent \(sent) records, values as Avro (\(await framer.registered) schemas registered)")
        } else {
            print("sent \(sent) records")
        }
    }
}
