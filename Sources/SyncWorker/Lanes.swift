import Kafka
import SyncCore

/// Per-entity lanes and per-partition offsets: the pipeline's bookkeeping, one actor so every
/// decision sees one consistent state.
///
/// Records of one key run strictly in order; different keys run concurrently up to
/// `maxInFlight`. Records that queue behind a running call of their key are handed out
/// together, and the worker folds them into one change (one API call for the burst).
actor Lanes {
    private struct Lane {
        var running = false
        var queue: [WorkItem] = []
    }

    private let maxInFlight: Int
    private var lanes: [String: Lane] = [:]
    private var ready: [String] = []                 // keys with queued work, waiting for a slot
    private(set) var inFlight = 0
    private(set) var queued = 0
    private var trackers: [TopicPartition: OffsetTracker] = [:]
    private var applied: [String: AppliedVersion] = [:]
    private var runner: (@Sendable (String, [WorkItem]) async -> Void)?

    init(maxInFlight: Int) {
        self.maxInFlight = max(1, maxInFlight)
    }

    func setRunner(_ runner: @escaping @Sendable (String, [WorkItem]) async -> Void) {
        self.runner = runner
    }

    // MARK: offsets

    func fetched(_ item: WorkItem) {
        trackers[item.partition, default: OffsetTracker()].fetched(item.offset)
    }

    func finished(_ partition: TopicPartition, _ offset: Int64) {
        trackers[partition]?.finished(offset)
    }

    /// Offsets ready to commit (the next to read per partition).
    func committable(_ only: Set<TopicPartition>? = nil) -> [TopicPartitionOffset] {
        trackers.compactMap { partition, tracker in
            guard only == nil || only!.contains(partition), let next = tracker.committable else { return nil }
            return TopicPartitionOffset(partition.topic, partition.partition, next)
        }
    }

    func didCommit(_ offsets: [TopicPartitionOffset]) {
        for offset in offsets { trackers[offset.topicPartition]?.didCommit(offset.offset) }
    }

    func pending(in partitions: Set<TopicPartition>) -> Int {
        partitions.reduce(0) { $0 + (trackers[$1]?.pending ?? 0) }
    }

    /// Forgets revoked partitions: their queued records are abandoned (the next owner reads
    /// them again from the committed offset), their version state is dropped.
    func forget(_ partitions: Set<TopicPartition>) {
        for partition in partitions { trackers[partition] = nil }
        for (key, lane) in lanes {
            let kept = lane.queue.filter { !partitions.contains($0.partition) }
            queued -= lane.queue.count - kept.count
            lanes[key]?.queue = kept
            if kept.isEmpty && !lane.running { lanes[key] = nil }
        }
        ready.removeAll { lanes[$0]?.queue.isEmpty ?? true }
    }

    // MARK: version guard state

    func lastApplied(_ key: String) -> AppliedVersion? { applied[key] }

    func recordApplied(_ key: String, _ version: AppliedVersion) {
        applied[key] = version
    }

    func load(_ versions: [String: AppliedVersion]) {
        applied.merge(versions) { current, loaded in
            loaded.version.isOlder(than: current.version) == true ? current : loaded
        }
    }

    // MARK: lanes

    /// Queues a change on its key's lane and starts it when a slot is free.
    func enqueue(_ item: WorkItem, key: String) {
        lanes[key, default: Lane()].queue.append(item)
        queued += 1
        if lanes[key]!.queue.count == 1 && !lanes[key]!.running { ready.append(key) }
        startReady()
    }

    /// A lane's call ended: its next batch (if any) waits for a slot like any other.
    func complete(_ key: String) {
        inFlight -= 1
        lanes[key]?.running = false
        if let lane = lanes[key] {
            if lane.queue.isEmpty { lanes[key] = nil } else { ready.append(key) }
        }
        startReady()
    }

    private func startReady() {
        while inFlight < maxInFlight, !ready.isEmpty {
            let key = ready.removeFirst()
            guard var lane = lanes[key], !lane.running, !lane.queue.isEmpty else { continue }
            let batch = lane.queue
            lane.queue = []
            lane.running = true
            lanes[key] = lane
            queued -= batch.count
            inFlight += 1
            let runner = self.runner
            Task { await runner?(key, batch) }
        }
    }

    var load: Int { queued + inFlight }
}
