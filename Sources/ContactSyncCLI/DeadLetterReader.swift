import Foundation
import Kafka
import Logging
import SyncCore

/// Filters shared by `dlq inspect` and `dlq replay`.
struct DeadLetterFilter {
    var reason: String?
    var key: String?
    var sourceTopic: String?
    var sinceMs: Int64?
    var untilMs: Int64?

    func matches(_ record: KafkaRecord, _ info: DeadLetterInfo?) -> Bool {
        if let reason, info?.reason != reason { return false }
        if let key, record.key.map({ String(decoding: $0, as: UTF8.self) }) != key { return false }
        if let sourceTopic, info?.sourceTopic != sourceTopic { return false }
        if let sinceMs, (record.timestampMs ?? 0) < sinceMs { return false }
        if let untilMs, (record.timestampMs ?? 0) > untilMs { return false }
        return true
    }

    static func time(_ text: String?, option: String) throws -> Int64? {
        guard let text else { return nil }
        guard let ms = Timestamp.milliseconds(fromISO8601: text) else {
            throw DeadLetterToolError("\(option) \(text): expected an RFC 3339 time such as 2026-11-24T10:00:00Z")
        }
        return ms
    }
}

struct DeadLetterToolError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Reads a dead-letter topic from given offsets to the end it had when reading began.
struct DeadLetterReader {
    let consumer: KafkaConsumer
    let topic: String

    /// Every partition's (start, end): start from `startOffsets` (default: the beginning).
    func ranges(startOffsets: [Int32: Int64] = [:]) async throws -> [(partition: Int32, start: Int64, end: Int64)] {
        var result: [(Int32, Int64, Int64)] = []
        for partition in try await consumer.partitions(of: topic) {
            let marks = try await consumer.watermarks(TopicPartition(topic, partition))
            let start = max(marks.low, startOffsets[partition] ?? marks.low)
            if start < marks.high { result.append((partition, start, marks.high)) }
        }
        return result
    }

    /// Calls `body` for every record in the ranges, in offset order per partition.
    func read(_ ranges: [(partition: Int32, start: Int64, end: Int64)], _ body: (KafkaRecord) async throws -> Bool) async throws {
        guard !ranges.isEmpty else { return }
        try consumer.assign(ranges.map { TopicPartitionOffset(topic, $0.partition, $0.start) })
        var remaining = Dictionary(uniqueKeysWithValues: ranges.map { ($0.partition, $0.end) })
        var idle = ContinuousClock.now
        while !remaining.isEmpty {
            let records = try await consumer.poll(maxRecords: 1000, timeout: .milliseconds(200))
            if records.isEmpty {
                guard ContinuousClock.now - idle < .seconds(30) else { throw DeadLetterToolError("no records from \(topic) for 30 s; are the brokers reachable?") }
                continue
            }
            idle = .now
            for record in records {
                guard let end = remaining[record.partition], record.offset < end else { continue }
                guard try await body(record) else { return }
                if record.offset >= end - 1 { remaining[record.partition] = nil }
            }
        }
    }
}
