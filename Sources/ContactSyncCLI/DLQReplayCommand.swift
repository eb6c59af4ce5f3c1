import ArgumentParser
import Foundation
import Kafka
import Logging
import SyncCore
import SyncWorker

/// `contact-sync dlq replay`: sends dead letters back to their source topic once the cause is fixed.
struct DLQReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Copies dead-lettered records back to their source topic (or --to), resumable and loop-guarded.",
        discussion: """
            Keeps the original key, value and headers, adds contactsync.replayed_from, contactsync.replay_count \
            and contactsync.replayed_at. Uses its own consumer group (<group>.dlq-replay) and commits each record \
            only after the broker confirmed the copy, so an interrupted replay run again continues where it stopped. \
            Records already replayed --max-replays times are refused (and counted). Replayed records go through \
            the normal worker: the version guard keeps a stale record from rolling a contact back.

            Examples:
              contact-sync dlq replay --config config.yaml --reason retries_exhausted --dry-run
              contact-sync dlq replay --config config.yaml --reason retries_exhausted --rate 20
              contact-sync dlq replay --config config.yaml --key cus_123 --to customers
            """
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var filters: DLQFilterOptions

    @Option(help: "Send every selected record here instead of its source topic.")
    var to: String?

    @Flag(name: .customLong("dry-run"), help: "Show what would be sent; send and commit nothing.")
    var dryRun = false

    @Option(help: "At most this many records per second.")
    var rate: Double?

    @Option(help: "Stop after sending this many records.")
    var limit: Int?

    @Option(name: .customLong("max-replays"), help: "Refuse records already replayed this many times (loop guard).")
    var maxReplays = 3

    func run() async throws {
        let settings = try await loadOrExit(common)
        let summary = try await DeadLetterReplay(
            kafka: settings.kafka, group: "\(settings.groupID).dlq-replay", topic: filters.topic ?? settings.dlqTopic,
            filter: try filters.filter(), target: to, dryRun: dryRun, rate: rate, limit: limit, maxReplays: maxReplays
        ).run { line in print(line) }
        print(summary.text(dryRun: dryRun))
    }
}

/// The replay itself (separate from the command so tests drive it directly).
struct DeadLetterReplay {
    let kafka: KafkaProperties
    let group: String
    let topic: String
    let filter: DeadLetterFilter
    let target: String?
    let dryRun: Bool
    let rate: Double?
    let limit: Int?
    let maxReplays: Int

    struct Summary {
        var sent = 0
        var skippedByFilter = 0
        var refusedByLoopGuard = 0
        var byTopic: [String: Int] = [:]

        func text(dryRun: Bool) -> String {
            var lines = ["", dryRun ? "dry run: would send \(sent) records" : "sent \(sent) records"]
            for (topic, count) in byTopic.sorted(by: { $0.key < $1.key }) { lines.append("  to \(topic): \(count)") }
            lines.append("not selected by the filters: \(skippedByFilter)")
            lines.append("refused by the loop guard (already replayed too often): \(refusedByLoopGuard)")
            return lines.joined(separator: "\n")
        }
    }

    func run(progress: (String) -> Void) async throws -> Summary {
        var logger = Logger(label: "dlq-replay")
        logger.logLevel = .error
        var properties = kafka
        properties["group.id"] = group
        properties["enable.auto.commit"] = "false"
        let consumer = try KafkaConsumer(properties: properties, logger: logger)
        let producer = dryRun ? nil : try KafkaProducer(properties: kafka, logger: logger)
        let reader = TopicReader(consumer: consumer, topic: topic)
        // Resume where the replay group stopped.
        let partitions = try await consumer.partitions(of: topic)
        let committed = try await consumer.committed(
            partitions.map { TopicPartition(topic, $0) }, timeout: .seconds(30))
        let starts = Dictionary(
            uniqueKeysWithValues: committed.filter { $0.offset >= 0 && !dryRun }.map { ($0.partition, $0.offset) })
        let ranges = try await reader.ranges(startOffsets: starts)
        let total = ranges.reduce(0) { $0 + Int($1.end - $1.start) }
        var summary = Summary()
        var seen = 0
        let pace = rate.map { Duration.milliseconds(Int64(1000 / $0)) }
        try await reader.read(ranges) { record in
            seen += 1
            let info = DeadLetterInfo(headers: record.inbound.headers)
            if !filter.matches(record, info) {
                summary.skippedByFilter += 1
            } else if (info?.replayCount ?? 0) >= maxReplays {
                summary.refusedByLoopGuard += 1
            } else {
                let destination = target ?? info?.sourceTopic ?? ""
                guard !destination.isEmpty else {
                    throw DeadLetterToolError(
                        "record \(topic)[\(record.partition)]@\(record.offset) names no source topic; use --to")
                }
                if let producer {
                    var headers = record.headers.filter { !DeadLetterInfo.isDeadLetterHeader($0.name) }
                    headers.append(
                        KafkaHeader("contactsync.replayed_from", "\(topic)[\(record.partition)]@\(record.offset)"))
                    headers.append(KafkaHeader("contactsync.replay_count", String((info?.replayCount ?? 0) + 1)))
                    headers.append(KafkaHeader("contactsync.replayed_at", ISO8601DateFormatter().string(from: Date())))
                    try await producer.send(topic: destination, key: record.key, value: record.value, headers: headers)
                } else {
                    progress(
                        "would send \(topic)[\(record.partition)]@\(record.offset) key=\(record.key.map { String(decoding: $0, as: UTF8.self) } ?? "-") reason=\(info?.reason ?? "-") → \(destination)"
                    )
                }
                summary.sent += 1
                summary.byTopic[destination, default: 0] += 1
                if let pace { try await Task.sleep(for: pace) }
            }
            // Committed only once the copy is confirmed: an interrupted replay resumes here.
            if !dryRun { try await consumer.commit([TopicPartitionOffset(topic, record.partition, record.offset + 1)]) }
            if isatty(1) == 1 {
                // A progress bar on a terminal, redrawn in place.
                let width = 30
                let done = total == 0 ? width : width * seen / total
                FileHandle.standardOutput.write(
                    Data(
                        "\r[\(String(repeating: "#", count: done))\(String(repeating: ".", count: width - done))] \(seen)/\(total) read, \(summary.sent) \(dryRun ? "selected" : "sent")\(seen == total ? "\n" : "")"
                            .utf8))
            } else if seen % 100 == 0 || seen == total {
                progress("progress: \(seen)/\(total) read, \(summary.sent) \(dryRun ? "selected" : "sent")")
            }
            if let limit, summary.sent >= limit { return false }
            return true
        }
        await producer?.close()
        await consumer.close()
        return summary
    }
}
