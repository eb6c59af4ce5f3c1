import ArgumentParser
import Foundation
import JSON
import Kafka
import Logging
import PlatformClient
import SchemaRegistry
import SyncCore
import SyncWorker

/// `contact-sync dlq inspect`: what was dead-lettered and why, without committing anything.
struct DLQInspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Lists dead-lettered records (time, key, reason, message, source) and counts them by reason.",
        discussion: """
            Reads without a consumer group commit: safe to run any time.

            Examples:
              contact-sync dlq inspect --config config.yaml
              contact-sync dlq inspect --config config.yaml --reason invalid_urn --since 2026-11-24T00:00:00Z
              contact-sync dlq inspect --config config.yaml --json | jq .reason
            """
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var filters: DLQFilterOptions

    @Flag(help: "One JSON object per record, for scripts.")
    var json = false

    @Flag(
        name: .customLong("show-value"),
        help:
            "Print each record's value (phone numbers and emails masked unless --log-pii); Avro values decoded through schema_registry.url."
    )
    var showValue = false

    func run() async throws {
        let settings = try await loadOrExit(common)
        let topic = filters.topic ?? settings.dlqTopic
        let filter = try filters.filter()
        var logger = Logger(label: "dlq")
        logger.logLevel = .error
        var properties = settings.kafka
        properties["group.id"] = "\(settings.groupID).dlq-inspect"
        let consumer = try KafkaConsumer(properties: properties, logger: logger)
        let reader = TopicReader(consumer: consumer, topic: topic)
        var counts: [String: Int] = [:]
        var shown = 0
        let clean = Self.cleaner(settings, pii: common.logPII, escape: !json)
        let values = DeadLetterValue(registry: showValue ? settings.schemaRegistry : nil)
        if !json {
            print("TIME                 KEY              REASON               ATT  SOURCE                   MESSAGE")
        }
        try await reader.read(try await reader.ranges()) { record in
            let info = DeadLetterInfo(headers: record.inbound.headers)
            guard filter.matches(record, info) else { return true }
            shown += 1
            counts[info?.reason ?? "unknown", default: 0] += 1
            let key = clean(record.key.map { String(decoding: $0, as: UTF8.self) } ?? "-")
            let message = clean(info?.message ?? "")
            if json {
                var object: [(String, JSON)] = [
                    ("dlq_partition", JSON(record.partition)), ("dlq_offset", JSON(record.offset)),
                    ("key", .string(key)),
                    ("reason", .string(info?.reason ?? "unknown")), ("message", .string(message)),
                    ("attempts", JSON(info?.attempts ?? 0)), ("source_topic", .string(info?.sourceTopic ?? "")),
                    ("source_partition", JSON(info?.sourcePartition ?? -1)),
                    ("source_offset", JSON(info?.sourceOffset ?? -1)), ("timestamp_ms", JSON(record.timestampMs ?? 0)),
                    ("replay_count", JSON(info?.replayCount ?? 0)),
                ]
                if showValue {
                    object.append(("value", .string(record.value == nil ? "" : clean(await values.text(record.value)))))
                }
                if let workspace = info?.workspace { object.append(("workspace", .string(clean(workspace)))) }
                if let status = info?.platformStatus { object.append(("platform_status", JSON(status))) }
                if let body = info?.platformBody { object.append(("platform_body", .string(clean(body)))) }
                print(JSON.object(object).serialized(.sortedKeys))
            } else {
                let time =
                    record.timestampMs.map {
                        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double($0) / 1000))
                    } ?? "-"
                let source = clean(info.map { "\($0.sourceTopic)[\($0.sourcePartition)]@\($0.sourceOffset)" } ?? "-")
                print(
                    "\(time.padding(toLength: 20, withPad: " ", startingAt: 0)) \(String(key.prefix(16)).padding(toLength: 16, withPad: " ", startingAt: 0)) "
                        + "\(clean(info?.reason ?? "unknown").padding(toLength: 20, withPad: " ", startingAt: 0)) \(String(info?.attempts ?? 0).padding(toLength: 4, withPad: " ", startingAt: 0)) "
                        + "\(source.padding(toLength: 24, withPad: " ", startingAt: 0)) \(String(message.split(separator: "\n").first ?? "").prefix(100))"
                )
                if showValue {
                    print("    value: \(clean(await values.text(record.value)))")
                }
            }
            return true
        }
        await consumer.close()
        await values.shutdown()
        if !json {
            print("\n\(shown) records" + (counts.isEmpty ? "" : " by reason:"))
            for (reason, count) in counts.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) {
                print("  \(LogText.escaped(reason).padding(toLength: 24, withPad: " ", startingAt: 0)) \(count)")
            }
        }
    }

    /// Every value read from the topic before it is printed: secrets out (records written
    /// before redaction existed may carry the token), PII masked unless `--log-pii`, and, for
    /// a terminal, control characters escaped (record data must not drive the terminal).
    static func cleaner(_ settings: Settings, pii: Bool, escape: Bool) -> @Sendable (String) -> String {
        let known = Redactor(properties: settings.kafkaProperties)
        let tokens = settings.tokens
        let registry = settings.schemaRegistry?.credentials ?? .none
        return { text in
            var text = registry.redacted(in: known(text))
            for token in tokens { text = token.redacted(in: text) }
            if !pii { text = PIIMasker.mask(text) }
            return escape ? LogText.escaped(text) : text
        }
    }
}

/// Filters and the topic, shared by inspect and replay.
struct DLQFilterOptions: ParsableArguments {
    @Option(help: "The dead-letter topic (default: dlq_topic from the configuration).")
    var topic: String?

    @Option(help: "Only records with this reason code (e.g. invalid_urn, retries_exhausted).")
    var reason: String?

    @Option(help: "Only records with this key (entity id).")
    var key: String?

    @Option(name: .customLong("source-topic"), help: "Only records that came from this topic.")
    var sourceTopic: String?

    @Option(help: "Only records of this workspace (the contactsync.workspace header, e.g. acme).")
    var workspace: String?

    @Option(help: "Only records dead-lettered at or after this time (RFC 3339).")
    var since: String?

    @Option(help: "Only records dead-lettered at or before this time (RFC 3339).")
    var until: String?

    func filter() throws -> DeadLetterFilter {
        DeadLetterFilter(
            reason: reason, key: key, sourceTopic: sourceTopic,
            sinceMs: try DeadLetterFilter.time(since, option: "--since"),
            untilMs: try DeadLetterFilter.time(until, option: "--until"), workspace: workspace)
    }
}
