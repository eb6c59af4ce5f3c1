import Foundation
import Kafka
import Logging
import Metrics
import StateStore
import SyncCore

extension Worker {
    /// Opens the store of one versions partition and reads the topic's tail into it; the
    /// partition's records wait (held) until then, the other partitions go on.
    /// `generation` is the assignment of the partition the restore is for: one revoked
    /// meanwhile stops (its store closed by `ready`), and the restore of its next assignment
    /// starts after it (`AppliedVersions.startRestore`).
    func restoreState(_ partition: Int32, generation: Int, partitions: Int32) async {
        let identity = StoreIdentity(
            group: configuration.groupID, versionsTopic: configuration.versionsTopic, partition: partition,
            partitions: partitions)
        await versions.restoreSlot()
        var restored: (store: PartitionStore?, donePast: [TopicPartition: DoneOffsets]) = (nil, [:])
        if await versions.isRestoring(partition, generation: generation) {
            restored = await openAndRestore(identity, generation: generation)
        }
        await versions.restoreDone()
        let ready = await versions.ready(partition, generation: generation, store: restored.store)
        // Only for the assignment the restore was for (`ready` names none of an older one), and
        // before its partitions are let go: their kept records are sent on by the poll loop
        // (`dispatchDeferred`), after the read-ahead decided on the backlog left.
        for (source, count) in await lanes.learnDonePast(restored.donePast.filter { ready.contains($0.key) }) {
            logger.info(
                "what the previous owner finished past the group's commit, read from the versions topic",
                metadata: ["partition": "\(source)", "records": "\(count)"])
        }
        await lanes.release(ready)
        await recordRestoring()
    }

    /// The store caught up with the topic, or `nil` when it cannot be opened (a disk problem):
    /// the guard then starts empty for the partition, logged, and availability wins over the
    /// skip of a late replay. A restore that fails (brokers unreachable, a read past its
    /// deadline) is tried again with backoff while the partition stays assigned, as Kafka
    /// Streams retries a restoration: a half-restored store never guards, since the checkpoint
    /// its later writes move would pass records it never read.
    /// - Returns: the store, and what earlier owners left in the versions topic as done.
    private func openAndRestore(_ identity: StoreIdentity, generation: Int) async -> (
        store: PartitionStore?, donePast: [TopicPartition: DoneOffsets]
    ) {
        let partition = identity.partition
        await versions.closed(partition)
        let store: PartitionStore
        do {
            let directory = try await versions.directory(configured: configuration.stateDirectory)
            store = try PartitionStore(
                directory: directory, identity: identity, options: Self.storeOptions(partitions: identity.partitions),
                logger: logger)
        } catch {
            logger.error(
                "cannot open the version guard's state store; the guard starts empty for this partition",
                metadata: ["partition": "\(partition)", "error": "\(error)"])
            return (nil, [:])
        }
        var backoff = Duration.seconds(1)
        while true {
            do {
                if let beforeRestore = configuration.beforeRestore { try await beforeRestore(partition) }
                return (store, try await restore(store, partition: partition))
            } catch {
                guard !isStopping, await versions.isRestoring(partition, generation: generation) else {
                    try? store.close(checkpoint: nil)
                    return (nil, [:])
                }
                logger.warning(
                    "could not restore the version guard's state; the partition's records wait and the restore is tried again",
                    metadata: ["partition": "\(partition)", "error": "\(error)", "retry_in": "\(backoff)"])
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(30))
            }
        }
    }

    /// - Returns: what earlier owners left in the versions topic as done, per source partition.
    private func restore(_ store: PartitionStore, partition: Int32) async throws -> [TopicPartition: DoneOffsets] {
        let loader = VersionLoader(properties: configuration.kafka, topic: configuration.versionsTopic, logger: logger)
        let outcome =
            TestBreak.on(.noRestore)  // chaos control only
            ? VersionLoader.Outcome(read: 0, from: 0, end: 0, elapsed: .zero)
            : try await loader.restore(store, partition: partition)
        let seconds =
            Double(outcome.elapsed.components.seconds) + Double(outcome.elapsed.components.attoseconds) / 1e18
        let kind = [("kind", store.reusedFile ? "warm" : "cold")]
        Counter(label: MetricNames.stateRestoredRecords, dimensions: kind).increment(by: outcome.read)
        Timer(label: MetricNames.stateRestoreSeconds, dimensions: kind, preferredDisplayUnit: .seconds)
            .recordNanoseconds(Int64(seconds * 1e9))
        logger.info(
            "state restored",
            metadata: [
                "partition": "\(partition)", "warm": "\(store.reusedFile)", "from": "\(outcome.from)",
                "end": "\(outcome.end)", "records": "\(outcome.read)", "seconds": "\(String(format: "%.2f", seconds))",
            ])
        return outcome.donePast
    }

    /// Each store's share of what stores keep in memory: 64k decoded entries (about 20 MB) and
    /// 32 MB of page cache across all of them, so memory does not grow with the number of
    /// partitions either.
    static func storeOptions(partitions: Int32) -> PartitionStore.Options {
        var options = PartitionStore.Options()
        let count = max(1, Int(partitions))
        let share = max(512, 65_536 / count)
        options.recentEntries = min(options.recentEntries, share)
        options.maxDirty = min(options.maxDirty, share)
        options.cacheKB = min(options.cacheKB, max(256, 32_768 / count))
        return options
    }

    func recordRestoring() async {
        Gauge(label: MetricNames.stateRestoring).record(await versions.restoringCount)
    }
}
