import Dispatch
import Kafka
import SyncCore

/// The pipeline's bookkeeping in one actor, so every decision sees one consistent state:
/// which lane runs (`LaneScheduler`) and how far each partition is done (`OffsetProgress`).
/// It starts a task per lane given a slot; the version guard's state is `AppliedVersions`.
actor Lanes {
    private var scheduler: LaneScheduler
    private var progress = OffsetProgress()
    private var runner: (@Sendable (String) async -> Void)?
    /// Records count only under the lease they were admitted with (see `Ownership`).
    let ownership: Ownership

    init(maxInFlight: Int, ownership: Ownership = Ownership()) {
        scheduler = LaneScheduler(maxInFlight: maxInFlight)
        self.ownership = ownership
    }

    func setRunner(_ runner: @escaping @Sendable (String) async -> Void) {
        self.runner = runner
    }

    // MARK: offsets

    enum Admission: Sendable, Equatable {
        /// Tracked until it ends.
        case admitted
        /// Tracked, and done already by the partition's previous owner: end it at once.
        case doneBefore
        /// Its lease is no longer held: not this instance's to do, not tracked.
        case notOwned
        /// Tracked, and kept until its partition's version state is restored (`takeDeferred`):
        /// the restore may still say which records the previous owner finished.
        case deferred
    }

    /// Tracks a record until it ends.
    func fetched(_ item: WorkItem) -> Admission {
        guard ownership.holds(item.lease) else { return .notOwned }
        progress.fetched(item.partition, item.offset, at: DispatchTime.now().uptimeNanoseconds)
        // Kept while the partition is held, and behind records kept before (checked only when
        // some partition is held or has kept records: not on every record of normal work).
        if !scheduler.held.isEmpty || !deferred.isEmpty,
            scheduler.held.contains(item.partition) || deferred[item.partition] != nil
        {
            deferred[item.partition, default: []].append(item)
            return .deferred
        }
        return progress.wasDoneBefore(item.partition, item.offset) ? .doneBefore : .admitted
    }

    /// Records kept as they arrived (`Admission.deferred`), per partition, in offset order.
    private var deferred: [TopicPartition: [WorkItem]] = [:]

    /// Partitions released whose kept records wait to be taken (`takeDeferred`).
    var deferredReady: [TopicPartition] {
        deferred.keys.filter { !scheduler.held.contains($0) }
            .sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
    }

    /// The kept records of a released partition, in offset order, each with whether its
    /// previous owner finished it; from then on the partition's records are admitted as they
    /// arrive (the poll loop takes them before it admits more).
    func takeDeferred(_ partition: TopicPartition) -> [(item: WorkItem, doneBefore: Bool)] {
        guard !scheduler.held.contains(partition), let items = deferred.removeValue(forKey: partition) else {
            return []
        }
        return items.filter { ownership.holds($0.lease) }.map {
            ($0, progress.wasDoneBefore(partition, $0.offset))
        }
    }

    /// Partitions assigned now, each from its committed offset and what its previous owner
    /// finished past it (the commit's metadata).
    func start(_ committed: [TopicPartition: CommittedOffset?]) {
        for (partition, offset) in committed { progress.start(partition, committed: offset) }
    }

    /// A record ended. Counted only while its lease is held: an end reached after a
    /// revocation is the new owner's to reach again, and must not mark the same offset done in
    /// a later assignment of the partition.
    func finished(_ lease: Lease, _ offset: Int64) {
        guard ownership.holds(lease) else { return }
        progress.finished(lease.partition, offset)
    }

    /// Seconds since the oldest record not done yet was fetched (0 when none): a record stuck
    /// behind a refusing platform or an unwritable topic shows here before the lag does.
    var oldestPendingSeconds: Double {
        guard let since = progress.oldestPendingFetchedAt else { return 0 }
        return Double(DispatchTime.now().uptimeNanoseconds &- since) / 1e9
    }

    /// Offsets ready to commit (the next to read per partition).
    func committable(_ only: Set<TopicPartition>? = nil) -> [TopicPartitionOffset] {
        progress.committable(only)
    }

    /// What is done in each partition (see `OffsetProgress.done`).
    func done(_ only: Set<TopicPartition>?) -> [TopicPartition: DoneOffsets] { progress.done(only) }

    /// What earlier owners left in the versions topic as done.
    /// - Returns: per partition where it was taken, how many offsets it adds.
    func learnDonePast(_ done: [TopicPartition: DoneOffsets]) -> [TopicPartition: Int] {
        var learned: [TopicPartition: Int] = [:]
        for (partition, done) in done {
            let count = progress.learnDonePast(partition, done)
            if count > 0 { learned[partition] = count }
        }
        return learned
    }

    /// Offsets to commit with their metadata (see `OffsetProgress.commitPlan`).
    func commitPlan(_ only: Set<TopicPartition>? = nil) -> (
        offsets: [TopicPartitionOffset], metadata: [TopicPartition: String]
    ) {
        progress.commitPlan(only)
    }

    func didCommit(_ offsets: [TopicPartitionOffset], metadata: [TopicPartition: String] = [:]) {
        progress.didCommit(offsets, metadata: metadata)
    }

    func pending(in partitions: Set<TopicPartition>) -> Int {
        progress.pending(in: partitions)
    }

    /// Forgets revoked partitions: their queued records are abandoned and their offsets no
    /// longer tracked (the next owner reads them again from the committed offset). The version
    /// guard's state is kept: it is keyed by entity, and the versions topic (read again if
    /// the partitions come back) decides by version, so an entry kept here can only be older.
    func forget(_ partitions: Set<TopicPartition>) {
        progress.forget(partitions)
        scheduler.dropQueued(partitions)
        dropDeferred(partitions)
    }

    private func dropDeferred(_ partitions: Set<TopicPartition>?) {
        guard let partitions else {
            deferred = [:]
            return
        }
        for partition in partitions { deferred[partition] = nil }
    }

    // MARK: lanes

    /// Queues a change on its key's lane and starts it when a slot is free.
    func enqueue(_ item: WorkItem, key: String) {
        // Decoded after its partition was revoked (a record that waited for the schema registry).
        guard ownership.holds(item.lease) else { return }
        start(scheduler.enqueue(item, key: key))
    }

    /// The records queued for `key`, handed to its running lane (which then folds them).
    func take(_ key: String) -> [WorkItem] {
        scheduler.take(key)
    }

    /// A lane's platform call ended: its slot goes to the next waiting lane.
    func releaseSlot(_ key: String) {
        start(scheduler.releaseSlot(key))
    }

    /// Lanes that gave their slot back while they wait for the contacts budget.
    private(set) var waitingForBudget = 0

    /// `key`'s lane waits for the budget: waiting is no call, so its slot goes to lanes that need
    /// none (unchanged, stale, deletes) meanwhile, and fetching does not stop at the
    /// backpressure bound while every slot waits. Its records keep folding in as they arrive.
    ///
    /// Such a lane has made no call, so a revocation does not wait for it (`applying` leaves it
    /// out): granted while one of its partitions is being revoked, it waits for the revocation
    /// to end (`budgetGranted`), and then finds its claim fenced and gives its records up.
    func waitForBudget(_ key: String) {
        waitingForBudget += 1
        scheduler.setWaitingForBudget(key, true)
        releaseSlot(key)
    }

    /// The budget granted `key`'s lane its call: it takes a slot again, once no partition of
    /// its records is being revoked.
    func budgetGranted(_ key: String) async {
        while !revoking.isDisjoint(with: scheduler.takenPartitions(key)) {
            await withCheckedContinuation { revocationWaiters.append($0) }
        }
        waitingForBudget -= 1
        scheduler.setWaitingForBudget(key, false)
        scheduler.reclaimSlot(key)
    }

    /// Whether lanes hold their contacts calls while the consumer reads ahead (`ReadAhead`).
    private var readingAhead = false
    private var readAheadWaiters: [CheckedContinuation<Void, Never>] = []

    /// Set by the poll loop when the read-ahead starts or ends, and cleared at shutdown;
    /// clearing it lets every held lane go (a lane of a partition revoked meanwhile then finds
    /// its claim fenced at the budget and makes no call).
    func setReadingAhead(_ holding: Bool) {
        readingAhead = holding
        guard !holding else { return }
        let waiters = readAheadWaiters
        readAheadWaiters = []
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the consumer is not reading a backlog ahead of the lanes.
    func readAhead() async {
        guard readingAhead else { return }
        await withCheckedContinuation { readAheadWaiters.append($0) }
    }

    /// Partitions whose revocation is under way (between `beginRevoke` and `endRevoke`).
    private var revoking: Set<TopicPartition> = []
    private var revocationWaiters: [CheckedContinuation<Void, Never>] = []

    /// A revocation of `partitions` starts: lanes granted budget for their records wait.
    func beginRevoke(_ partitions: Set<TopicPartition>) { revoking.formUnion(partitions) }

    /// The revocation of `partitions` ended (their leases fenced): waiting lanes go on.
    func endRevoke(_ partitions: Set<TopicPartition>) {
        revoking.subtract(partitions)
        let waiters = revocationWaiters
        revocationWaiters = []
        for waiter in waiters { waiter.resume() }
    }

    /// Whether lanes are on their way to a platform call (holding a slot, or waiting for the
    /// budget): their deletes and memberships may still join the batcher's next call.
    var feeding: Bool { scheduler.inFlight > 0 || waitingForBudget > 0 }

    /// A lane's batch is done: its next batch (if any) waits for a slot like any other.
    func complete(_ key: String) { start(scheduler.complete(key)) }

    /// Drops queued records of `partitions` (all when `nil`); see `LaneScheduler.dropQueued`.
    func dropQueued(_ partitions: Set<TopicPartition>?) {
        scheduler.dropQueued(partitions)
        dropDeferred(partitions)
    }

    /// Partitions newly assigned; `held` of them wait without a slot (and unfetched) while
    /// their guard's state is restored.
    func assigned(_ partitions: Set<TopicPartition>, held: Set<TopicPartition>) {
        assignedSinceFetchState.formUnion(partitions)
        scheduler.hold(held)
    }

    /// Lanes of `partitions` may start again.
    func release(_ partitions: Set<TopicPartition>) { start(scheduler.release(partitions)) }

    private var assignedSinceFetchState: Set<TopicPartition> = []

    /// What the poll loop needs to decide on fetching, in one hop: the load, the held
    /// partitions and those assigned since it last asked.
    func fetchState() -> FetchState {
        defer { assignedSinceFetchState = [] }
        return FetchState(
            entities: scheduler.pendingEntities, bytes: scheduler.pendingBytes, inFlight: scheduler.inFlight,
            held: scheduler.held, assigned: assignedSinceFetchState)
    }

    struct FetchState: Sendable {
        let entities: Int
        let bytes: Int
        let inFlight: Int
        let held: Set<TopicPartition>
        let assigned: Set<TopicPartition>
    }

    /// Records of `partitions` (all when `nil`) that lanes are applying now, and dead letters of
    /// bad input being written beside the lanes: a revocation waits for both, or a dead letter
    /// landing after its commit would be written again by the partition's next owner.
    func applying(_ partitions: Set<TopicPartition>?) -> Int {
        let writes = sideWrites.reduce(0) { sum, entry in
            sum + (partitions?.contains(entry.key) ?? true ? entry.value : 0)
        }
        return scheduler.applying(partitions) + writes
    }

    private var sideWrites: [TopicPartition: Int] = [:]

    /// A record's dead letter is being written outside any lane (bad input).
    func beginSideWrite(_ partition: TopicPartition) { sideWrites[partition, default: 0] += 1 }

    func endSideWrite(_ partition: TopicPartition) {
        sideWrites[partition, default: 1] -= 1
        if sideWrites[partition] == 0 { sideWrites[partition] = nil }
    }

    func needsContactCall(_ key: String) -> Bool { scheduler.needsContactCall(key) }

    var inFlight: Int { scheduler.inFlight }
    var load: Int { scheduler.load }
    var pendingEntities: Int { scheduler.pendingEntities }
    var pendingBytes: Int { scheduler.pendingBytes }

    private func start(_ keys: [String]) {
        guard let runner else { return }
        for key in keys { Task { await runner(key) } }
    }
}
