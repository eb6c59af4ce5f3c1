import Kafka
import SyncCore

/// How far each partition is done: a record's offset becomes committable only when it and
/// every record before it ended (applied, skipped or dead-lettered), whatever order lanes
/// finish in.
struct OffsetProgress: Sendable {
    private var trackers: [TopicPartition: OffsetTracker] = [:]

    mutating func fetched(_ partition: TopicPartition, _ offset: Int64) {
        trackers[partition, default: OffsetTracker()].fetched(offset)
    }

    mutating func finished(_ partition: TopicPartition, _ offset: Int64) {
        trackers[partition]?.finished(offset)
    }

    /// Offsets ready to commit (the next to read per partition), of `only` when given.
    func committable(_ only: Set<TopicPartition>? = nil) -> [TopicPartitionOffset] {
        trackers.compactMap { partition, tracker in
            guard only.map({ $0.contains(partition) }) ?? true, let next = tracker.committable else { return nil }
            return TopicPartitionOffset(partition.topic, partition.partition, next)
        }
    }

    mutating func didCommit(_ offsets: [TopicPartitionOffset]) {
        for offset in offsets { trackers[offset.topicPartition]?.didCommit(offset.offset) }
    }

    /// Records fetched and not yet done in `partitions`.
    func pending(in partitions: Set<TopicPartition>) -> Int {
        partitions.reduce(0) { $0 + (trackers[$1]?.pending ?? 0) }
    }

    /// Revoked partitions: their next owner starts again from the committed offset.
    mutating func forget(_ partitions: Set<TopicPartition>) {
        for partition in partitions { trackers[partition] = nil }
    }
}
