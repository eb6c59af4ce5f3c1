import Kafka
import SyncCore

/// How far each partition is done: a record's offset becomes committable only when it and
/// every record before it ended (applied, skipped or dead-lettered), whatever order lanes
/// finish in. What ended past that offset rides along in the commit's metadata
/// (`DoneOffsets`), and what an earlier owner said there is skipped here.
struct OffsetProgress: Sendable {
    private var trackers: [TopicPartition: OffsetTracker] = [:]
    /// The metadata last committed per partition, to commit again when only it changed.
    private var committedMetadata: [TopicPartition: String] = [:]
    /// What the partition's previous owner finished past the offset it committed.
    private var doneBefore: [TopicPartition: DoneOffsets] = [:]

    mutating func fetched(_ partition: TopicPartition, _ offset: Int64, at nanoseconds: UInt64 = 0) {
        trackers[partition, default: OffsetTracker()].fetched(offset, at: nanoseconds)
    }

    /// When the oldest record not done yet, of any partition, was fetched; `nil` when none.
    var oldestPendingFetchedAt: UInt64? {
        trackers.values.compactMap(\.oldestPendingFetchedAt).min()
    }

    mutating func finished(_ partition: TopicPartition, _ offset: Int64) {
        trackers[partition]?.finished(offset)
    }

    /// A partition starts (again) at its committed offset with what its previous owner said
    /// was done past it.
    mutating func start(_ partition: TopicPartition, committed: CommittedOffset?) {
        trackers[partition] = nil
        committedMetadata[partition] = committed?.metadata
        doneBefore[partition] = committed.flatMap { DoneOffsets(metadata: $0.metadata, committed: $0.offset) }
    }

    /// Whether the partition's previous owner finished this record already.
    func wasDoneBefore(_ partition: TopicPartition, _ offset: Int64) -> Bool {
        doneBefore[partition]?.contains(offset) ?? false
    }

    /// What to commit, of `only` when given: per partition the next offset to read, and the
    /// metadata naming what is done past it; a partition appears when either changed.
    func commitPlan(_ only: Set<TopicPartition>? = nil) -> (
        offsets: [TopicPartitionOffset], metadata: [TopicPartition: String]
    ) {
        var offsets: [TopicPartitionOffset] = []
        var metadata: [TopicPartition: String] = [:]
        for (partition, tracker) in trackers where only.map({ $0.contains(partition) }) ?? true {
            let next = tracker.committable ?? tracker.committed
            guard let next else { continue }
            let text = DoneOffsets(committed: next, offsets: tracker.doneBeyondCommittable).metadata
            guard tracker.committable != nil || text != committedMetadata[partition] else { continue }
            offsets.append(TopicPartitionOffset(partition.topic, partition.partition, next))
            if let text { metadata[partition] = text }
        }
        return (offsets, metadata)
    }

    /// Offsets ready to commit (the next to read per partition), of `only` when given.
    func committable(_ only: Set<TopicPartition>? = nil) -> [TopicPartitionOffset] {
        commitPlan(only).offsets
    }

    mutating func didCommit(_ offsets: [TopicPartitionOffset], metadata: [TopicPartition: String] = [:]) {
        for offset in offsets {
            trackers[offset.topicPartition]?.didCommit(offset.offset)
            committedMetadata[offset.topicPartition] = metadata[offset.topicPartition]
        }
    }

    /// Records fetched and not yet done in `partitions`.
    func pending(in partitions: Set<TopicPartition>) -> Int {
        partitions.reduce(0) { $0 + (trackers[$1]?.pending ?? 0) }
    }

    /// Revoked partitions: their next owner starts again from the committed offset.
    mutating func forget(_ partitions: Set<TopicPartition>) {
        for partition in partitions {
            trackers[partition] = nil
            committedMetadata[partition] = nil
            doneBefore[partition] = nil
        }
    }
}
