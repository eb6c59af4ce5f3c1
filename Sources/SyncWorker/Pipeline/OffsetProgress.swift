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
    /// The offset each partition started from (what the group had committed), while it is owned.
    private var startedAt: [TopicPartition: Int64] = [:]
    /// Below this offset the previous owner had done everything (its versions topic record),
    /// where the group's commit is older.
    private var doneBelow: [TopicPartition: Int64] = [:]

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
        startedAt[partition] = committed?.offset
        doneBelow[partition] = nil
    }

    /// What the previous owner left in the versions topic (`DoneOffsets+Versions`): taken when
    /// it is not older than the offset this partition started from (the group's commit),
    /// beside what the commit's metadata said. Everything from that offset up to the one the
    /// previous owner had done everything before counts as done too: its last commit may have
    /// been refused.
    /// - Returns: how many offsets it adds (0 when it was not taken).
    mutating func learnDonePast(_ partition: TopicPartition, _ done: DoneOffsets) -> Int {
        // Without a commit (a new group, or offsets deleted with a recreated topic) nothing says
        // the record is of this topic's life: not taken.
        guard let committed = startedAt[partition], committed >= 0, done.committed >= committed else { return 0 }
        let known = doneBefore[partition]?.offsets ?? []
        let merged = DoneOffsets(committed: committed, offsets: Set(known).union(done.offsets))
        let added = Int(done.committed - committed) + merged.offsets.count - known.count
        doneBefore[partition] = merged
        doneBelow[partition] = max(doneBelow[partition] ?? committed, done.committed)
        return added
    }

    /// Whether the partition's previous owner finished this record already.
    func wasDoneBefore(_ partition: TopicPartition, _ offset: Int64) -> Bool {
        offset < (doneBelow[partition] ?? .min) || (doneBefore[partition]?.contains(offset) ?? false)
    }

    /// What to commit, of `only` when given: per partition the next offset to read, and the
    /// metadata naming what is done past it; a partition appears when either changed.
    func commitPlan(_ only: Set<TopicPartition>? = nil) -> (
        offsets: [TopicPartitionOffset], metadata: [TopicPartition: String]
    ) {
        var offsets: [TopicPartitionOffset] = []
        var metadata: [TopicPartition: String] = [:]
        for (partition, done) in done(only) {
            let text = done.metadata
            guard trackers[partition]?.committable != nil || text != committedMetadata[partition] else { continue }
            offsets.append(TopicPartitionOffset(partition.topic, partition.partition, done.committed))
            if let text { metadata[partition] = text }
        }
        return (offsets, metadata)
    }

    /// Per partition (of `only` when given) that read anything, what is done: the offset to
    /// commit and what is done past it (`DoneOffsets+Versions`), changed or not since the last
    /// commit.
    func done(_ only: Set<TopicPartition>? = nil) -> [TopicPartition: DoneOffsets] {
        var done: [TopicPartition: DoneOffsets] = [:]
        for (partition, tracker) in trackers where only.map({ $0.contains(partition) }) ?? true {
            guard let next = tracker.committable ?? tracker.committed else { continue }
            done[partition] = DoneOffsets(committed: next, offsets: tracker.doneBeyondCommittable)
        }
        return done
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
            startedAt[partition] = nil
            doneBelow[partition] = nil
        }
    }
}
