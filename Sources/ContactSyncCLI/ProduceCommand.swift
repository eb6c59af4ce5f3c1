import ArgumentParser
import Foundation
import JSON
import Kafka
import Logging
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

    func validate() throws {
        guard sample || file != nil else { throw ValidationError("give --sample or --file FILE (with --topic)") }
        if file != nil && topic == nil { throw ValidationError("--file needs --topic") }
    }

    func run() async throws {
        var logger = Logger(label: "produce")
        logger.logLevel = .warning
        let producer = try KafkaProducer(properties: ["bootstrap.servers": bootstrapServers], logger: logger)
        var sent = 0
        if sample {
            for event in SampleEvents.make() {
                try await producer.send(topic: event.topic, key: Array(event.key.utf8), value: Array(event.value.utf8))
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
                try await producer.send(topic: topic, key: key.map { Array($0.utf8) }, value: bytes)
                sent += 1
            }
        }
        await producer.close()
        print("sent \(sent) records")
    }
}
