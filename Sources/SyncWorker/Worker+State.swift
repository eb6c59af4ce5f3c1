import Foundation
import Logging
import Metrics
import StateStore

extension Worker {
    /// Opens the store of one versions partition and reads the topic's tail into it; the
    /// guard's reads for that partition wait until then. A store that cannot be opened or
    /// restored leaves the guard empty for the partition, as before stores existed: the error
    /// is logged and availability wins over the skip of a late replay.
    func restoreState(_ partition: Int32, partitions: Int32) async {
        let identity = StoreIdentity(
            group: configuration.groupID, versionsTopic: configuration.versionsTopic, partition: partition,
            partitions: partitions)
        var store: PartitionStore?
        if let beforeRestore = configuration.beforeRestore { await beforeRestore(partition) }
        await versions.restoreSlot()
        do {
            let directory = try await versions.directory(configured: configuration.stateDirectory)
            let opened = try PartitionStore(directory: directory, identity: identity, logger: logger)
            store = opened
            let loader = VersionLoader(
                properties: configuration.kafka, topic: configuration.versionsTopic, logger: logger)
            let outcome =
                TestBreak.on(.noRestore)  // chaos control only
                ? VersionLoader.Outcome(read: 0, from: 0, end: 0, elapsed: .zero)
                : try await loader.restore(opened, partition: partition)
            let seconds =
                Double(outcome.elapsed.components.seconds) + Double(outcome.elapsed.components.attoseconds) / 1e18
            let kind = [("kind", opened.reusedFile ? "warm" : "cold")]
            Counter(label: MetricNames.stateRestoredRecords, dimensions: kind).increment(by: outcome.read)
            Timer(label: MetricNames.stateRestoreSeconds, dimensions: kind, preferredDisplayUnit: .seconds)
                .recordNanoseconds(Int64(seconds * 1e9))
            logger.info(
                "state restored",
                metadata: [
                    "partition": "\(partition)", "warm": "\(opened.reusedFile)", "from": "\(outcome.from)",
                    "end": "\(outcome.end)", "records": "\(outcome.read)",
                    "seconds": "\(String(format: "%.2f", seconds))",
                ])
        } catch {
            logger.error(
                "could not restore the version guard's state; the guard starts empty for this partition",
                metadata: ["partition": "\(partition)", "error": "\(error)"])
        }
        await versions.restoreDone()
        await lanes.release(await versions.ready(partition, store: store))
        await recordRestoring()
    }

    func recordRestoring() async {
        Gauge(label: MetricNames.stateRestoring).record(await versions.restoringCount)
    }
}
