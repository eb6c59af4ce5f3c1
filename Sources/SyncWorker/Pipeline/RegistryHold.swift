import Kafka
import Synchronization

/// Records waiting for the schema registry, per partition and in fetch order.
///
/// A framed record whose schema the registry could not give (down, slow) waits here, and so
/// does every record of its partition fetched after it, whether framed or not: one entity's
/// events must reach their lane in the order they were written. Other partitions go on. A
/// partition's wait is drained by one task (`Worker.drainRegistryWait`), which removes a
/// record only once it was routed, so a record the poll loop admits meanwhile either joins
/// the wait or, once the wait is over, comes after everything that waited.
///
/// A lock, not an actor: the poll loop asks `joinIfWaiting` for every record while a registry
/// is configured, and an actor hop per record would slow plain records for nothing.
final class RegistryHold: Sendable {
    private let waiting = Mutex<[TopicPartition: [WorkItem]]>([:])

    /// Queues `item` behind the waiting records of its partition; `false` when none wait (the
    /// caller decodes it now).
    func joinIfWaiting(_ item: WorkItem) -> Bool {
        waiting.withLock { waiting in
            guard waiting[item.partition] != nil else { return false }
            waiting[item.partition]!.append(item)
            return true
        }
    }

    /// Starts a wait for `item`'s partition with `item` first; `false` when one is under way
    /// already (then `item` joined it, and no second drain is needed).
    func start(_ item: WorkItem) -> Bool {
        waiting.withLock { waiting in
            if waiting[item.partition] != nil {
                waiting[item.partition]!.append(item)
                return false
            }
            waiting[item.partition] = [item]
            return true
        }
    }

    /// The oldest record waiting on `partition`.
    func first(of partition: TopicPartition) -> WorkItem? {
        waiting.withLock { $0[partition]?.first }
    }

    /// Removes the oldest record of `partition` (it was routed); answers whether more wait.
    /// With none left the partition's wait is over, in the same step, so that nothing can
    /// join a wait no drain serves.
    func removeFirst(of partition: TopicPartition) -> Bool {
        waiting.withLock { waiting in
            guard var queue = waiting[partition], !queue.isEmpty else {
                waiting[partition] = nil
                return false
            }
            queue.removeFirst()
            waiting[partition] = queue.isEmpty ? nil : queue
            return !queue.isEmpty
        }
    }

    /// Ends `partition`'s wait with its records unrouted (shutting down: they are read again
    /// from the committed offset).
    func abandon(_ partition: TopicPartition) {
        waiting.withLock { $0[partition] = nil }
    }

    /// Records waiting, across partitions.
    var count: Int { waiting.withLock { $0.values.reduce(0) { $0 + $1.count } } }
    var isEmpty: Bool { waiting.withLock { $0.isEmpty } }
}
