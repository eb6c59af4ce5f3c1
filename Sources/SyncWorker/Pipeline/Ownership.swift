import Kafka
import Synchronization

/// One assignment of a partition to this instance: the partition and which of its assignments
/// it is. A partition revoked and assigned again gets a new generation, so work admitted under
/// the first assignment never counts for the second.
struct Lease: Hashable, Sendable, CustomStringConvertible {
    let partition: TopicPartition
    let generation: Int

    var description: String { "\(partition)#\(generation)" }
}

/// Which partitions this instance owns now, as leases: the one place that answers "may this
/// work still have an effect?".
///
/// Every record is admitted under its partition's current lease (`WorkItem.lease`), and every
/// step that can outlive a revocation checks the lease at its boundary: a lane before it records
/// what it applied, the action batcher before it sends a batch (a delete queued by a revoked
/// owner must not land after the new owner recreated the contact), the durable writer before each
/// attempt to write a version or a dead letter, the offset tracker before it counts a record
/// done. The revocation `fence`s its partitions once their in-flight work is drained or given
/// up; from then on nothing admitted under the old lease has an effect, and the partition's new
/// owner, reading from the committed offset, does that work itself. A plain lock, not an actor:
/// the checks run on hot paths and at points that must not suspend.
final class Ownership: Sendable {
    private struct State {
        var current: [TopicPartition: Int] = [:]
        var lastGeneration = 0
    }

    private let state = Mutex(State())

    /// New leases for partitions assigned now.
    @discardableResult
    func grant(_ partitions: some Sequence<TopicPartition>) -> [Lease] {
        state.withLock { state in
            partitions.map { partition in
                state.lastGeneration += 1
                state.current[partition] = state.lastGeneration
                return Lease(partition: partition, generation: state.lastGeneration)
            }
        }
    }

    /// Ends the leases of `partitions`: work admitted under them has no effect any more.
    func fence(_ partitions: some Sequence<TopicPartition>) {
        state.withLock { state in
            for partition in partitions { state.current[partition] = nil }
        }
    }

    /// The lease a record of `partition` is admitted under now, or `nil` when the partition is
    /// not this instance's.
    func lease(of partition: TopicPartition) -> Lease? {
        state.withLock { state in
            state.current[partition].map { Lease(partition: partition, generation: $0) }
        }
    }

    func holds(_ lease: Lease) -> Bool {
        state.withLock { $0.current[lease.partition] == lease.generation }
    }

    /// Whether every one of `leases` is still held.
    func holdsAll(_ leases: some Sequence<Lease>) -> Bool {
        state.withLock { state in leases.allSatisfy { state.current[$0.partition] == $0.generation } }
    }

    /// Partitions owned now.
    var partitions: Set<TopicPartition> { state.withLock { Set($0.current.keys) } }
}

/// The leases one piece of work (a lane's change, a dead letter) was admitted under, checked
/// wherever that work could otherwise land late.
struct Claim: Sendable {
    let ownership: Ownership
    let leases: [Lease]

    init(_ ownership: Ownership, _ leases: [Lease]) {
        self.ownership = ownership
        self.leases = Array(Set(leases))
    }

    var isHeld: Bool { ownership.holdsAll(leases) }
}
