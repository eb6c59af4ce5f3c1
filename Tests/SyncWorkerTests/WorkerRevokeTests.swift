import ContactSyncTesting
import Kafka
import PlatformSandbox
import SyncCore
import Testing

@testable import SyncWorker

/// Partitions revoked while the worker is applying their records.
///
/// librdkafka's mock cluster refuses an OffsetCommit while its group is rebalancing
/// (REBALANCE_IN_PROGRESS in its JOINING state), where Kafka accepts it until the rebalance
/// completes (PreparingRebalance): so the revocation's commit is judged here by calling the
/// worker's rebalance handler on a stable group; a real rebalance is in `WorkerJoinTests`.
@Suite(.serialized) struct WorkerRevokeTests {
    /// Each call takes 3 s on the sandbox (under the harness's 5 s request timeout).
    static let slow = SandboxChaos(latencyMs: 3000)
    static let both: Set<TopicPartition> = [TopicPartition("customers", 0), TopicPartition("customers", 1)]

    /// `count` new contacts per partition of two.
    static func creates(_ prefix: String, from first: Int = 0, count: Int) -> [(
        partition: Int32, event: (key: String, json: String?)
    )] {
        (first..<first + count).flatMap { n in
            (0..<2).map { partition in
                let entity = "\(prefix)\(partition)-\(n)"
                return (
                    Int32(partition),
                    event("customer.created", id: entity, entity: entity, version: 1, data: #""name": "\#(entity)""#)
                )
            }
        }
    }

    /// Periodic commits off: every offset the group holds was committed by a revocation or a
    /// shutdown.
    func start(_ h: WorkerHarness, group: String, drain: Duration) async throws -> RunningWorker {
        let configuration = try h.configuration(group: group, untilCaughtUp: false) {
            $0.commitInterval = .seconds(3600)
            $0.drainDeadline = drain
        }
        return await h.start(configuration, deadline: .seconds(120))
    }

    /// Within the drain deadline: the revocation waits for the eight calls in flight, then
    /// commits all eight.
    @Test func aRevocationWaitsForTheWorkInFlightAndCommitsIt() async throws {
        let h = try await WorkerHarness(partitions: 2, chaos: Self.slow)
        try await h.produce(Self.creates("w", count: 4))
        let group = "g-revoke-wait"
        let a = try await start(h, group: group, drain: .seconds(30))
        try await eventually("all eight records are being applied") { await a.worker.lanes.applying(nil) == 8 }
        #expect(h.sandbox.state().contacts.isEmpty)

        await RebalanceBridge(worker: a.worker).partitionsRevoked(Array(Self.both))
        #expect(h.sandbox.state().contacts.count == 8, "the revocation returned after the calls ended")
        #expect(try await h.committed(group: group) == [4, 4], "and committed them")
        try await a.shutdown()
        await h.shutdown()
    }

    /// Past the drain deadline: the revocation commits the two records of each partition that
    /// finished, not the two still in flight. Those stop retrying and record nothing (no version,
    /// no count), and their calls already on the wire are waited for before the partitions go,
    /// so nothing of theirs lands after the next owner, which applies them again itself.
    @Test func pastTheDrainDeadlineOnlyWhatFinishedIsCommitted() async throws {
        let h = try await WorkerHarness(partitions: 2)
        try await h.produce(Self.creates("d", count: 2))
        let group = "g-revoke-late"
        let a = try await start(h, group: group, drain: .milliseconds(300))
        try await eventually("the first four are applied") { a.snapshot.created == 4 }
        h.sandbox.setChaos(Self.slow)
        try await h.produce(Self.creates("d", from: 2, count: 2))
        try await eventually("the next four are being applied") { await a.worker.lanes.applying(nil) == 4 }

        await RebalanceBridge(worker: a.worker).partitionsRevoked(Array(Self.both))
        #expect(h.sandbox.state().contacts.count == 8, "the calls on the wire ended before the partitions went")
        #expect(try await h.committed(group: group) == [2, 2], "only what had finished in time was committed")
        let sa = try await a.shutdown()
        #expect(try await h.committed(group: group) == [2, 2], "nothing of the abandoned work was committed later")
        #expect(sa.created == 4, "the abandoned changes were not counted as A's")

        let b = try await h.start(try h.configuration(group: group), deadline: .seconds(60)).finished()
        #expect(b.recordsIn == 4, "the next owner read exactly the four abandoned records again")
        #expect(b.skippedDuplicate == 0 && b.applied == 4, "A recorded no version for them: B applies them")
        #expect(h.sandbox.stats().count(endpoint: "contacts.json", method: "POST") == 12, "8 by A, 4 again by B")
        #expect(h.sandbox.state().contacts.count == 8, "and no duplicate contact")
        #expect(try await h.committed(group: group) == [4, 4])
        await h.shutdown()
    }
}
