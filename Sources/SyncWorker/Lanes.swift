import Kafka
import SyncCore

/// Per-entity lanes and per-partition offsets: the pipeline's bookkeeping, one actor so every
/// decision sees one consistent state.
///
/// Records of one key run strictly in order; different keys run concurrently, with at most
/// `maxInFlight` platform calls at once. Records that queue behind a running call of their key
/// are handed out together, and the worker folds them into one change (one API call for the
/// burst). A lane gives its call slot back as soon as its platform call ends, so making the
/// version durable afterwards does not hold a slot (Little's law: slots / call latency).
actor Lanes {
    private struct Lane {
        var running = false
        var holdsSlot = false
        var queue: [WorkItem] = []
    }

    private let maxInFlight: Int
    private var lanes: [String: Lane] = [:]
    private var ready: [String] = []                 // keys with queued work, waiting for a slot
    private var readyHead = 0                        // ready[..<readyHead] were handed out
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
        ready = ready[readyHead...].filter { !(lanes[$0]?.queue.isEmpty ?? true) }
        readyHead = 0
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

    /// A lane's platform call ended: its slot goes to the next waiting lane.
    func releaseSlot(_ key: String) {
        guard lanes[key]?.holdsSlot == true else { return }
        lanes[key]?.holdsSlot = false
        inFlight -= 1
        startReady()
    }

    /// A lane's batch is done: its next batch (if any) waits for a slot like any other.
    func complete(_ key: String) {
        releaseSlot(key)
        lanes[key]?.running = false
        if let lane = lanes[key] {
            if lane.queue.isEmpty { lanes[key] = nil } else { ready.append(key) }
        }
        startReady()
    }

    private func startReady() {
        while inFlight < maxInFlight, readyHead < ready.count {
            let key = ready[readyHead]
            readyHead += 1
            guard var lane = lanes[key], !lane.running, !lane.queue.isEmpty else { continue }
            let batch = lane.queue
            lane.queue = []
            lane.running = true
            lane.holdsSlot = true
            lanes[key] = lane
            queued -= batch.count
            inFlight += 1
            let runner = self.runner
            Task { await runner?(key, batch) }
        }
        // Drop the handed-out prefix now and then, not on every call (removeFirst is O(n)).
        if readyHead > 1024 && readyHead * 2 > ready.count {
            ready.removeFirst(readyHead)
            readyHead = 0
        }
    }

    var load: Int { queued + inFlight }
}
