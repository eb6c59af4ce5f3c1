import ArgumentParser
import Foundation
import Kafka
import Logging
import SyncWorker

/// `contact-sync resync`: after the platform lost data, applies again what the events since a
/// time say. An offset reset alone does nothing: the version guard skips every event it applied.
struct ResyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resync",
        abstract:
            "Copies the source topics' records since a time back into their partitions, marked to be applied again.",
        discussion: """
            Every record of the source topics (or --topic) from the first offset at or after --since to the end \
            they have now is written again to the same topic and partition, with its key, value and headers and \
            a contactsync.resync header. The running workers read the copies like any record, through the budget, \
            the lanes, the dead-letter topic and the commits; the version guard then writes the entity's last \
            applied version again instead of skipping it as a duplicate, and still skips anything older, so no \
            contact rolls back. Records that are themselves re-sync copies are not copied again. Not resumable: \
            an interrupted run is run again (copies already read are written twice, which costs calls, not \
            correctness).

            Examples:
              contact-sync resync --config config.yaml --since 2026-12-01T00:00:00Z --dry-run
              contact-sync resync --config config.yaml --since 2026-12-01T00:00:00Z --topic customers --rate 50
            """
    )

    @OptionGroup var common: CommonOptions

    @Option(help: "Copy records from this time on (ISO 8601, e.g. 2026-12-01T00:00:00Z).")
    var since: String

    @Option(name: .customLong("topic"), help: "Only this source topic (repeatable; default: the configured topics).")
    var onlyTopics: [String] = []

    @Flag(name: .customLong("dry-run"), help: "Count what would be copied; write nothing.")
    var dryRun = false

    @Option(help: "At most this many records per second.")
    var rate: Double?

    func run() async throws {
        let settings = try await loadOrExit(common)
        guard let from = ISO8601DateFormatter().date(from: since) else {
            throw ValidationError("--since \(since) is not an ISO 8601 time such as 2026-12-01T00:00:00Z")
        }
        let topics = onlyTopics.isEmpty ? settings.topics : onlyTopics
        guard !topics.isEmpty else {
            throw ValidationError("no topics: set `topics` in the configuration or pass --topic")
        }
        let copied = try await ResyncCopy(
            kafka: settings.kafka, topics: topics, since: from, dryRun: dryRun, rate: rate
        ).run { print($0) }
        print(dryRun ? "dry run: would copy \(copied) records" : "copied \(copied) records for re-sync")
    }
}

/// The copy itself (apart from the command so tests drive it).
struct ResyncCopy {
    let kafka: KafkaProperties
    let topics: [String]
    let since: Date
    let dryRun: Bool
    let rate: Double?

    /// - Returns: how many records were (or would be) copied.
    func run(progress: (String) -> Void) async throws -> Int {
        var logger = Logger(label: "resync")
        logger.logLevel = .error
        var properties = kafka
        properties["group.id"] = "contact-sync-resync-reader"
        let producer = dryRun ? nil : try KafkaProducer(properties: kafka, logger: logger)
        let stamp = ISO8601DateFormatter().string(from: Date())
        let pace = rate.map { Duration.milliseconds(Int64(1000 / $0)) }
        var copied = 0
        for topic in topics {
            let consumer = try KafkaConsumer(properties: properties, logger: logger)
            let reader = TopicReader(consumer: consumer, topic: topic)
            let partitions = try await consumer.partitions(of: topic)
            let millis = Int64(since.timeIntervalSince1970 * 1000)
            let found = try await consumer.offsetsForTimes(
                partitions.map { TopicPartitionOffset(topic, $0, millis) }, timeout: .seconds(30))
            // Where the broker's time index says; where it has no answer (-1: no record that late,
            // or a broker without the index, as librdkafka's mock cluster) from the start, each
            // record then judged by its own timestamp.
            var starts: [Int32: Int64] = [:]
            for offset in found where offset.offset >= 0 { starts[offset.partition] = offset.offset }
            let ranges = try await reader.ranges(startOffsets: starts).filter { $0.start < $0.end }
            var inTopic = 0
            try await reader.read(ranges) { record in
                guard record.header(Resync.header) == nil, (record.timestampMs ?? millis) >= millis else { return true }
                if let producer {
                    try await producer.send(
                        topic: topic, partition: record.partition, key: record.key, value: record.value,
                        headers: record.headers + [KafkaHeader(Resync.header, stamp)])
                }
                inTopic += 1
                if let pace { try await Task.sleep(for: pace) }
                return true
            }
            await consumer.close()
            copied += inTopic
            progress("\(topic): \(dryRun ? "would copy" : "copied") \(inTopic) records from \(ranges.count) partitions")
        }
        await producer?.close()
        return copied
    }
}
