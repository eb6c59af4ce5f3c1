import Kafka
import SyncCore

/// Per-entity lanes: which key runs next, and what each lane holds. A plain value with no
/// tasks or I/O, so the scheduling rules are tested on their own (`Lanes` runs it).
///
/// Records of one key run strictly in order; different keys run concurrently, with at most
/// `maxInFlight` platform calls at once. A lane that gets a slot takes its queued records,
/// and when they need a call it waits for the platform's budget without its slot (so lanes
/// that need no call go on) and then takes again: everything that arrived for the key
/// meanwhile is folded into one change, so while the budget is the limit a backlog costs about
/// one call per distinct entity. Lanes start in the order their oldest record
/// arrived, so the entity holding the oldest pending offset is written first and commits keep
/// moving. A lane gives its call slot back as soon as its platform call ends, so making the
/// version durable afterwards does not hold a slot (Little's law: slots / call latency).
/// Lanes whose records come from a held partition (its version guard's state is still being
/// restored) wait parked, without a slot, so the other partitions' lanes use every slot.
///
/// Slots are counted per workspace (the part of the key before `ContactChange.workspaceSeparator`):
/// each workspace has `maxInFlight` of its own, so the lanes of one that is down or throttled
/// (its lanes hold their slots through retries and pauses) never take the slots another needs.
struct LaneScheduler: Sendable {
    private struct Lane {
        var running = false
        var holdsSlot = false
        var queue: [WorkItem] = []
        var takenBytes = 0
        /// Partitions of the records being applied, with their counts.
        var taken: [TopicPartition: Int] = [:]
        /// Waiting for the contacts budget without a slot: no call of it is under way.
        var waitingForBudget = false
    }

    let maxInFlight: Int
    private var lanes: [String: Lane] = [:]
    /// Keys with queued work, waiting for a slot; `ready[..<readyHead]` were handed out.
    private var ready: [String] = []
    private var readyHead = 0
    /// Partitions whose lanes may not start yet, and the keys that came up while held.
    private(set) var held: Set<TopicPartition> = []
    private var parked: [String] = []
    private(set) var inFlight = 0
    /// Slots in use per workspace, and the ready keys of a workspace whose slots were all in
    /// use when their turn came (oldest first; they start before that workspace's later keys).
    private var inFlightByWorkspace: [Substring: Int] = [:]
    private var blocked: [Substring: (keys: [String], head: Int)] = [:]
    private(set) var queued = 0
    /// Estimated memory of the records fetched and not yet done (queued or being applied).
    private(set) var pendingBytes = 0

    init(maxInFlight: Int) {
        self.maxInFlight = max(1, maxInFlight)
    }

    /// Entities with records fetched and not yet done.
    var pendingEntities: Int { lanes.count }

    /// Records queued or being applied.
    var load: Int { queued + inFlight }

    /// Queues a record on its key's lane; returns the keys that may start now.
    mutating func enqueue(_ item: WorkItem, key: String) -> [String] {
        lanes[key, default: Lane()].queue.append(item)
        queued += 1
        pendingBytes += item.estimatedBytes
        if lanes[key]!.queue.count == 1 && !lanes[key]!.running { ready.append(key) }
        return startReady()
    }

    /// The records queued for `key`, handed to its running lane (which then folds them).
    mutating func take(_ key: String) -> [WorkItem] {
        guard var lane = lanes[key], lane.running else { return [] }
        let batch = lane.queue
        lane.queue = []
        lane.takenBytes += batch.reduce(0) { $0 + $1.estimatedBytes }
        for item in batch { lane.taken[item.partition, default: 0] += 1 }
        lanes[key] = lane
        queued -= batch.count
        return batch
    }

    /// A lane's platform call ended: its slot goes to the next waiting lane.
    mutating func releaseSlot(_ key: String) -> [String] {
        guard lanes[key]?.holdsSlot == true else { return [] }
        lanes[key]?.holdsSlot = false
        inFlight -= 1
        inFlightByWorkspace[Self.workspace(of: key), default: 1] -= 1
        return startReady()
    }

    /// Marks `key`'s lane as waiting for the budget (`applying` leaves it out) or not.
    mutating func setWaitingForBudget(_ key: String, _ waiting: Bool) {
        lanes[key]?.waitingForBudget = waiting
    }

    /// The partitions of the records `key`'s lane has taken.
    func takenPartitions(_ key: String) -> Set<TopicPartition> {
        Set(lanes[key]?.taken.keys ?? [:].keys)
    }

    /// A lane that gave its slot back while it waited for the budget takes one again for its
    /// call, past `maxInFlight` if need be: the budget it waited for paces those calls already.
    mutating func reclaimSlot(_ key: String) {
        guard lanes[key]?.running == true, lanes[key]?.holdsSlot == false else { return }
        lanes[key]?.holdsSlot = true
        inFlight += 1
        inFlightByWorkspace[Self.workspace(of: key), default: 0] += 1
    }

    /// A lane's batch is done: its next batch (if any) waits for a slot like any other.
    mutating func complete(_ key: String) -> [String] {
        var starting = releaseSlot(key)
        pendingBytes -= lanes[key]?.takenBytes ?? 0
        lanes[key]?.takenBytes = 0
        lanes[key]?.taken = [:]
        lanes[key]?.running = false
        if let lane = lanes[key] {
            if lane.queue.isEmpty { lanes[key] = nil } else { ready.append(key) }
        }
        starting += startReady()
        return starting
    }

    /// Drops the records of `partitions` (all when `nil`) that no lane has taken yet: at a
    /// revocation or shutdown only work already being applied is waited for; the rest is read
    /// again by the partition's next owner (the version guard skips what was applied).
    mutating func dropQueued(_ partitions: Set<TopicPartition>?) {
        for (key, lane) in lanes {
            let kept = partitions.map { leaving in lane.queue.filter { !leaving.contains($0.partition) } } ?? []
            guard kept.count != lane.queue.count else { continue }
            queued -= lane.queue.count - kept.count
            pendingBytes -=
                lane.queue.reduce(0) { $0 + $1.estimatedBytes } - kept.reduce(0) { $0 + $1.estimatedBytes }
            lanes[key]?.queue = kept
            if kept.isEmpty && !lane.running { lanes[key] = nil }
        }
        ready = ready[readyHead...].filter { !(lanes[$0]?.queue.isEmpty ?? true) }
        readyHead = 0
        parked = parked.filter { !(lanes[$0]?.queue.isEmpty ?? true) }
        for (workspace, waiting) in blocked {
            let kept = waiting.keys[waiting.head...].filter { !(lanes[$0]?.queue.isEmpty ?? true) }
            blocked[workspace] = kept.isEmpty ? nil : (Array(kept), 0)
        }
        // Revoked partitions are no longer held: nothing of theirs is left to wait.
        if let partitions { held.subtract(partitions) } else { held = [] }
    }

    /// Lanes of `partitions` wait, parked without a slot, until `release`.
    mutating func hold(_ partitions: Set<TopicPartition>) {
        held.formUnion(partitions)
    }

    /// Lanes of `partitions` may start again (parked ones first: they are the oldest); returns
    /// the keys that start now.
    mutating func release(_ partitions: Set<TopicPartition>) -> [String] {
        guard !held.isDisjoint(with: partitions) else { return [] }
        held.subtract(partitions)
        var still: [String] = []
        var unparked: [String] = []
        for key in parked {
            if let partition = lanes[key]?.queue.first?.partition, held.contains(partition) {
                still.append(key)
            } else {
                unparked.append(key)
            }
        }
        parked = still
        // Ahead of every key of their workspace that waits, as the oldest.
        var front: [Substring: [String]] = [:]
        for key in unparked { front[Self.workspace(of: key), default: []].append(key) }
        for (workspace, keys) in front {
            let rest = blocked[workspace].map { Array($0.keys[$0.head...]) } ?? []
            blocked[workspace] = (keys + rest, 0)
        }
        return startReady()
    }

    /// Records of `partitions` (all when `nil`) that lanes are applying now.
    func applying(_ partitions: Set<TopicPartition>?) -> Int {
        var count = 0
        for lane in lanes.values where !lane.waitingForBudget {
            for (partition, records) in lane.taken where partitions?.contains(partition) ?? true { count += records }
        }
        return count
    }

    /// Whether `key`'s queued records need a `contacts.json` call: only deletes don't (they go
    /// 100 a call through `contact_actions.json` on the other scope's budget).
    func needsContactCall(_ key: String) -> Bool {
        lanes[key]?.queue.contains { !($0.change?.isDelete ?? true) } ?? false
    }

    /// Starts `key`'s lane if it has work and its partition is not held (then it is parked).
    private mutating func tryStart(_ key: String, workspace: Substring) -> Bool {
        guard var lane = lanes[key], !lane.running, let first = lane.queue.first else { return false }
        if held.contains(first.partition) {
            parked.append(key)
            return false
        }
        lane.running = true
        lane.holdsSlot = true
        lanes[key] = lane
        inFlight += 1
        inFlightByWorkspace[workspace, default: 0] += 1
        return true
    }

    /// The workspace part of a key (empty for the single workspace's bare keys).
    static func workspace(of key: String) -> Substring {
        guard let separator = key.firstIndex(of: ContactChange.workspaceSeparator) else { return "" }
        return key[..<separator]
    }

    private mutating func startReady() -> [String] {
        var starting: [String] = []
        // Keys that waited for their workspace's slots go first: they are its oldest.
        for workspace in blocked.keys where inFlightByWorkspace[workspace, default: 0] < maxInFlight {
            var waiting = blocked[workspace]!
            while inFlightByWorkspace[workspace, default: 0] < maxInFlight, waiting.head < waiting.keys.count {
                let key = waiting.keys[waiting.head]
                waiting.head += 1
                if tryStart(key, workspace: workspace) { starting.append(key) }
            }
            if waiting.head > 1024 && waiting.head * 2 > waiting.keys.count {
                waiting.keys.removeFirst(waiting.head)
                waiting.head = 0
            }
            blocked[workspace] = waiting.head < waiting.keys.count ? waiting : nil
        }
        while readyHead < ready.count {
            let key = ready[readyHead]
            readyHead += 1
            let workspace = Self.workspace(of: key)
            if inFlightByWorkspace[workspace, default: 0] >= maxInFlight {
                blocked[workspace, default: ([], 0)].keys.append(key)
                continue
            }
            if tryStart(key, workspace: workspace) { starting.append(key) }
        }
        // Drop the handed-out prefix now and then, not on every call (removeFirst is O(n)).
        if readyHead > 1024 && readyHead * 2 > ready.count {
            ready.removeFirst(readyHead)
            readyHead = 0
        }
        return starting
    }
}
