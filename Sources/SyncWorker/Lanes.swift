import Kafka
import SyncCore

/// Per-entity lanes and per-partition offsets: the pipeline's bookkeeping, one actor so every
/// decision sees one consistent state.
///
/// Records of one key run strictly in order; different keys run concurrently, with at most
/// `maxInFlight` platform calls at once. A lane that gets a slot waits for the platform's
/// budget first and only then takes its queued records (`take`): everything that arrived for
/// the key meanwhile is folded into one change, so while the budget is the limit a backlog
/// costs about one call per distinct entity. Lanes start in the order their oldest record
/// arrived, so the entity holding the oldest pending offset is written first and commits keep
/// moving. A lane gives its call slot back as soon as its platform call ends, so making the
/// version durable afterwards does not hold a slot (Little's law: slots / call latency).
actor Lanes {
    private struct Lane {
        var running = false
        var holdsSlot = false
        var queue: [WorkItem] = []
        var takenBytes = 0
        /// Partitions of the records being applied, with their counts.
        var taken: [TopicPartition: Int] = [:]
    }

    private let maxInFlight: Int
    private var lanes: [String: Lane] = [:]
    private var ready: [String] = []  // keys with queued work, waiting for a slot
    private var readyHead = 0  // ready[..<readyHead] were handed out
    private(set) var inFlight = 0
    private(set) var queued = 0
    /// Estimated memory of the records fetched and not yet done (queued or being applied).
    private(set) var pendingBytes = 0
    private var trackers: [TopicPartition: OffsetTracker] = [:]
    private var applied: [String: AppliedVersion] = [:]
    private var runner: (@Sendable (String) async -> Void)?

    init(maxInFlight: Int) {
        self.maxInFlight = max(1, maxInFlight)
    }

    func setRunner(_ runner: @escaping @Sendable (String) async -> Void) {
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
        dropQueued(partitions)
        ready = ready[readyHead...].filter { !(lanes[$0]?.queue.isEmpty ?? true) }
        readyHead = 0
    }

    /// Drops the records of `partitions` (all when `nil`) that no lane has taken yet: at a
    /// revocation or shutdown only work already being applied is waited for; the rest is read
    /// again by the partition's next owner (the version guard skips what was applied).
    func dropQueued(_ partitions: Set<TopicPartition>?) {
        for (key, lane) in lanes {
            let kept = partitions.map { leaving in lane.queue.filter { !leaving.contains($0.partition) } } ?? []
            guard kept.count != lane.queue.count else { continue }
            queued -= lane.queue.count - kept.count
            pendingBytes -= lane.queue.reduce(0) { $0 + $1.estimatedBytes } - kept.reduce(0) { $0 + $1.estimatedBytes }
            lanes[key]?.queue = kept
            if kept.isEmpty && !lane.running { lanes[key] = nil }
        }
    }

    /// Records of `partitions` (all when `nil`) that lanes are applying now.
    func applying(_ partitions: Set<TopicPartition>?) -> Int {
        lanes.values.reduce(0) { sum, lane in
            sum + lane.taken.reduce(0) { $0 + (partitions == nil || partitions!.contains($1.key) ? $1.value : 0) }
        }
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
        pendingBytes += item.estimatedBytes
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
        pendingBytes -= lanes[key]?.takenBytes ?? 0
        lanes[key]?.takenBytes = 0
        lanes[key]?.taken = [:]
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
            lane.running = true
            lane.holdsSlot = true
            lanes[key] = lane
            inFlight += 1
            let runner = self.runner
            Task { await runner?(key) }
        }
        // Drop the handed-out prefix now and then, not on every call (removeFirst is O(n)).
        if readyHead > 1024 && readyHead * 2 > ready.count {
            ready.removeFirst(readyHead)
            readyHead = 0
        }
    }

    /// The records queued for `key`, handed to its running lane (which then folds them).
    func take(_ key: String) -> [WorkItem] {
        guard var lane = lanes[key], lane.running else { return [] }
        let batch = lane.queue
        lane.queue = []
        lane.takenBytes += batch.reduce(0) { $0 + $1.estimatedBytes }
        for item in batch { lane.taken[item.partition, default: 0] += 1 }
        lanes[key] = lane
        queued -= batch.count
        return batch
    }

    var load: Int { queued + inFlight }

    /// Whether `key`'s queued records need a `contacts.json` call: only deletes don't (they go
    /// 100 a call through `contact_actions.json` on the other scope's budget).
    func needsContactCall(_ key: String) -> Bool {
        lanes[key]?.queue.contains { !($0.change?.isDelete ?? true) } ?? false
    }

    /// Entities with records fetched and not yet done.
    var pendingEntities: Int { lanes.count }
}
