import Foundation
import Kafka
import Logging
import StateStore
import SyncCore

/// The version guard's state: what was last applied to each entity of the assigned partitions,
/// in one on-disk store per partition of the versions topic (`PartitionStore`), with bounded
/// memory whatever the number of entities.
///
/// The versions topic (`DurableWriter.saveVersion`) is the durable copy; a store is a cache of
/// its partition, brought up to the topic's end when the partition is assigned (`VersionLoader`:
/// only the tail past the store's checkpoint). Until then the guard's reads for that partition
/// wait; other partitions go on. A write to the topic holds the store's checkpoint back until
/// its version is in the store (`ChangelogPosition`), so a restart never skips it.
actor AppliedVersions {
    /// Where a write to the versions topic stands, from `beginWrite` to `record` or `abandon`.
    struct WriteToken: Sendable {
        let partition: Int32
        let token: Int
    }

    private enum Phase {
        case restoring([CheckedContinuation<Void, Never>])
        case ready
    }

    private struct Slot {
        var store: PartitionStore?
        var position = ChangelogPosition(restored: nil)
        var phase = Phase.restoring([])
        /// Source partitions whose records this versions partition guards.
        var sources: Set<TopicPartition> = []
        /// Which assignment of the partition this is: a restore started for an earlier one
        /// (revoked since) must not make this one ready.
        var generation = 0
    }

    private var slots: [Int32: Slot] = [:]
    /// Restores running at once: each borrows a 64 MB page cache and a core, so memory stays
    /// bounded when many partitions arrive together (the others wait their turn, each
    /// partition's records only for its own restore).
    private let maxRestores = 2
    private var restores = 0
    private var restoreQueue: [CheckedContinuation<Void, Never>] = []
    private var versionsPartitions: Int32 = 1
    private var flusher: Task<Void, Never>?
    /// Closes under way (`close` runs them off the caller's path); `settle` waits for them.
    private var closing: [Task<Void, Never>] = []
    /// The close under way of each versions partition, which its next open waits for.
    private var closingPartition: [Int32: Task<Void, Never>] = [:]
    private var stateDirectory: StateDirectory?
    /// A private temporary directory (no `state.dir`): its files go when their partition does.
    private var ephemeral = false
    private let logger: Logger

    init(logger: Logger = Logger(label: "contact-sync.state")) {
        self.logger = logger
    }

    /// The directory of this worker's stores, locked on first use: `configured` (`state.dir`),
    /// or a private temporary one when none is configured or another process holds it.
    func directory(configured: String?) throws -> String {
        if let stateDirectory { return stateDirectory.path }
        // Every store's page cache together (a restore's larger cache included) stays near
        // this; SQLite evicts pages past it.
        StoreMemory.limit(bytes: 96 << 20)
        if let configured {
            do {
                stateDirectory = try StateDirectory(path: configured)
                return configured
            } catch {
                logger.error(
                    "cannot use the state directory; restoring into a temporary one instead (every start restores cold)",
                    metadata: ["error": "\(error)"])
            }
        }
        let path = NSTemporaryDirectory() + "contact-sync-state-" + UUID().uuidString
        stateDirectory = try StateDirectory(path: path)
        ephemeral = true
        return path
    }

    /// The versions partition guarding records of source partition `source`, as
    /// `DurableWriter.versionsPartition(for:)` maps it.
    func versionsPartition(for source: Int32) -> Int32 { source % versionsPartitions }

    private var generation = 0
    /// The restore of each versions partition, latest last: a partition revoked and assigned
    /// again starts its restore only once the earlier one ended, so two never write one file.
    private var restoreTasks: [Int32: Task<Void, Never>] = [:]

    /// Runs `restore` for `partition`'s current assignment after any earlier restore of it.
    func startRestore(_ partition: Int32, _ restore: @escaping @Sendable (Int) async -> Void) {
        guard let generation = slots[partition]?.generation else { return }
        let previous = restoreTasks[partition]
        restoreTasks[partition] = Task {
            await previous?.value
            await restore(generation)
        }
    }

    /// Whether `generation` is still the current assignment of `partition`, being restored.
    func isRestoring(_ partition: Int32, generation: Int) -> Bool {
        guard let slot = slots[partition], slot.generation == generation else { return false }
        if case .restoring = slot.phase { return true }
        return false
    }

    /// Registers assigned source partitions; answers the versions partitions that were not
    /// assigned before (the caller opens and restores their stores, then calls `ready`) and the
    /// sources whose store is being restored (their records wait until `ready`).
    func assign(sources: [TopicPartition], versionsPartitions count: Int32) -> (
        fresh: [Int32], restoring: Set<TopicPartition>
    ) {
        versionsPartitions = max(1, count)
        var fresh: [Int32] = []
        var restoring: Set<TopicPartition> = []
        for source in sources {
            let partition = versionsPartition(for: source.partition)
            if slots[partition] == nil {
                generation += 1
                slots[partition] = Slot(generation: generation)
                fresh.append(partition)
            }
            slots[partition]?.sources.insert(source)
            if case .restoring? = slots[partition]?.phase { restoring.insert(source) }
        }
        startFlushing()
        return (fresh.sorted(), restoring)
    }

    /// The store of `partition` caught up with the topic (`store` is `nil` when it could not be
    /// opened: the guard then starts empty for it, as it did before there were stores). Answers
    /// the source partitions it guards, whose records may go on now.
    @discardableResult
    func ready(_ partition: Int32, generation: Int? = nil, store: PartitionStore?) -> Set<TopicPartition> {
        guard var slot = slots[partition], generation == nil || slot.generation == generation else {
            try? store?.close(checkpoint: nil)
            return []
        }
        slot.store = store
        slot.position = ChangelogPosition(restored: store?.checkpoint)
        if case .restoring(let waiting) = slot.phase { for continuation in waiting { continuation.resume() } }
        slot.phase = .ready
        slots[partition] = slot
        return slot.sources
    }

    /// Waits for a restore slot; pair with `restoreDone`.
    func restoreSlot() async {
        if restores < maxRestores {
            restores += 1
            return
        }
        await withCheckedContinuation { restoreQueue.append($0) }
    }

    func restoreDone() {
        if restoreQueue.isEmpty {
            restores -= 1
        } else {
            restoreQueue.removeFirst().resume()
        }
    }

    /// Versions partitions whose store is being restored now.
    var restoringCount: Int {
        slots.values.count { if case .restoring = $0.phase { true } else { false } }
    }

    /// Whether `partition`'s store is still being restored (its records wait).
    func isRestoring(_ partition: Int32) -> Bool {
        if case .restoring? = slots[partition]?.phase { return true }
        return false
    }

    /// What was last applied to `key`, whose records come from source partition `source`;
    /// waits while that partition's store is being restored.
    func last(_ key: String, source: Int32) async -> AppliedVersion? {
        let partition = versionsPartition(for: source)
        if case .restoring? = slots[partition]?.phase {
            await withCheckedContinuation { continuation in
                if case .restoring(var waiting)? = slots[partition]?.phase {
                    waiting.append(continuation)
                    slots[partition]?.phase = .restoring(waiting)
                } else {
                    continuation.resume()
                }
            }
        }
        guard let store = slots[partition]?.store else { return nil }
        do {
            return try store.last(key)
        } catch {
            logger.error(
                "state store read failed; the guard treats the entity as new",
                metadata: ["partition": "\(partition)", "error": "\(error)"])
            return nil
        }
    }

    /// A version of an entity of `source` is about to be written to the topic.
    func beginWrite(source: Int32) -> WriteToken {
        let partition = versionsPartition(for: source)
        return WriteToken(partition: partition, token: slots[partition]?.position.writing() ?? 0)
    }

    /// The version is on the topic at `offset` (`nil`: the topic refused it and policy skipped
    /// it); it goes into the store.
    func record(_ key: String, _ version: AppliedVersion, token: WriteToken, offset: Int64?) {
        guard var slot = slots[token.partition] else { return }
        do {
            try slot.store?.record(key, version)
            if let offset {
                slot.position.stored(token.token, offset: offset)
            } else {
                slot.position.abandoned(token.token)
            }
        } catch {
            // Not in the store: the checkpoint stays before it, so the next restore reads it.
            logger.error(
                "state store write failed", metadata: ["partition": "\(token.partition)", "error": "\(error)"])
        }
        slots[token.partition] = slot
    }

    /// The write did not happen (shutdown): it no longer holds the checkpoint back.
    func abandon(_ token: WriteToken) {
        slots[token.partition]?.position.abandoned(token.token)
    }

    /// Source partitions leave: the stores no assigned partition needs any more are flushed with
    /// their checkpoint and closed (their files stay for a warm start if the partition returns).
    func revoke(sources: [TopicPartition]) {
        for source in sources {
            let partition = versionsPartition(for: source.partition)
            slots[partition]?.sources.remove(source)
            guard let slot = slots[partition], slot.sources.isEmpty else { continue }
            close(partition, slot)
        }
    }

    /// Flushes every store with the checkpoint its writes allow (the periodic flush).
    func flush() {
        for (partition, slot) in slots {
            guard case .ready = slot.phase, let store = slot.store else { continue }
            do {
                try store.flush(checkpoint: slot.position.checkpoint)
            } catch {
                logger.error("state store flush failed", metadata: ["partition": "\(partition)", "error": "\(error)"])
            }
        }
    }

    /// Closes every store (the worker stops).
    func closeAll() async {
        for (partition, slot) in slots { close(partition, slot) }
        flusher?.cancel()
        flusher = nil
        await settle()
    }

    /// Off the caller's path: a close folds the WAL into the file (an fsync), which must not
    /// hold a revocation back while calls of the leaving partitions are still ending.
    private func close(_ partition: Int32, _ slot: Slot) {
        slots[partition] = nil
        if case .restoring(let waiting) = slot.phase { for continuation in waiting { continuation.resume() } }
        guard let store = slot.store else { return }
        let checkpoint = slot.position.checkpoint
        let logger = logger
        let remove = ephemeral
        // The last store of a private temporary directory: the directory goes with it.
        var emptied: String?
        if ephemeral, slots.isEmpty {
            emptied = stateDirectory?.path
            stateDirectory = nil
        }
        closing.removeAll { $0.isCancelled }
        let previous = closingPartition[partition]
        let task = Task.detached {
            await previous?.value
            do {
                try store.close(checkpoint: checkpoint)
            } catch {
                logger.error(
                    "state store close failed", metadata: ["partition": "\(partition)", "error": "\(error)"])
            }
            // A private temporary directory's files go with their partition.
            guard remove else { return }
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store.path + suffix) }
            if let emptied { try? FileManager.default.removeItem(atPath: emptied) }
        }
        closing.append(task)
        closingPartition[partition] = task
    }

    /// Waits until the store of `partition` closed, if a close is under way: its next open then
    /// finds the file free and its checkpoint written.
    func closed(_ partition: Int32) async {
        await closingPartition[partition]?.value
    }

    /// Waits until every store closed so far is closed (its checkpoint on disk).
    func settle() async {
        let pending = closing
        closing = []
        closingPartition = [:]
        for task in pending { await task.value }
    }

    /// Entries reach the files once a second (as Kafka Streams flushes its stores on commit),
    /// and by themselves when many are waiting: a kill -9 loses at most what the topic's tail
    /// past the checkpoint gives back.
    private func startFlushing() {
        guard flusher == nil else { return }
        flusher = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                await self?.flush()
            }
        }
    }
}
