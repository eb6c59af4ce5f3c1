import ContactSyncTesting
import Foundation
import Kafka
import PlatformClient
import PlatformSandbox
import SyncCore
import Synchronization
import Testing

@testable import SyncWorker

/// Work that outlives its partition's revocation is fenced (`Ownership`), and what a revoked
/// owner finished out of order is not done again by the next one (commit metadata). Each test
/// names the broken code it would catch.
@Suite(.serialized) struct OwnershipTests {
    static let p0 = TopicPartition("customers", 0)

    /// A revoked owner's delete that waits in the action batcher for the `v2` budget is
    /// withdrawn, not sent: sent late, it would delete the contact the new owner recreated.
    /// Fails when `ActionBatcher.take` sends waiters whose budget is abandoned.
    @Test func aQueuedDeleteOfAFencedPartitionIsNeverSent() async throws {
        let h = try await WorkerHarness(partitions: 1)
        let client = PlatformClient(
            options: .init(baseURL: h.sandbox.baseURL, token: APIToken(WorkerHarness.token)), logger: h.logger)
        let gate = PlatformGate(
            contacts: .unlimited, v2: RequestRate(requests: 60, per: .seconds(60)), retry: RetryPolicy(),
            status: WorkerStatus(), logger: h.logger, isStopping: { false })
        await gate.setShare(1)  // a full window: the next v2 call waits about a second
        let batcher = ActionBatcher(client: client, gate: gate)
        let ownership = Ownership()
        let lease = try #require(ownership.grant([Self.p0]).first)
        let budget = RetryBudget(limit: .seconds(30), claim: Claim(ownership, [lease]))
        let delete = Task { try await batcher.perform(.delete, contact: "ext:cus_1", budget: budget) }
        try await Task.sleep(for: .milliseconds(100))
        ownership.fence([Self.p0])
        await #expect(throws: Abandoned.self) { try await delete.value }
        #expect(h.sandbox.stats().count(endpoint: "contact_actions.json") == 0, "nothing was sent")
        try await client.shutdown()
        await h.shutdown()
    }

    /// A batch already sent and failing transiently is retried only for the actions still held:
    /// once their partition is fenced, no retry carries them. Fails when the retry resends the
    /// whole batch (the revoked owner's delete keeps being retried, and would land once the
    /// platform recovered).
    @Test func aSentDeleteIsNotRetriedOnceItsPartitionIsFenced() async throws {
        let h = try await WorkerHarness(partitions: 1)
        let client = PlatformClient(
            options: .init(baseURL: h.sandbox.baseURL, token: APIToken(WorkerHarness.token)), logger: h.logger)
        _ = try await client.upsert(byURN: URN(parsing: "ext:cus_1"), body: ContactWrite(name: .set("One")))
        let gate = PlatformGate(
            contacts: .unlimited, v2: .unlimited, retry: RetryPolicy(base: .milliseconds(200), cap: .milliseconds(400)),
            status: WorkerStatus(), logger: h.logger, isStopping: { false })
        let batcher = ActionBatcher(client: client, gate: gate)
        let ownership = Ownership()
        let lease = try #require(ownership.grant([Self.p0]).first)
        let budget = RetryBudget(limit: .seconds(30), claim: Claim(ownership, [lease]))
        h.sandbox.setChaos(SandboxChaos(failRate: 1))
        let ended = Flag()
        let delete = Task {
            defer { ended.set() }
            return try await batcher.perform(.delete, contact: "ext:cus_1", budget: budget)
        }
        try await eventually("the delete was sent and failed") {
            h.sandbox.stats().count(endpoint: "contact_actions.json", statuses: 500...599) >= 1
        }
        ownership.fence([Self.p0])
        // The platform stays down until the delete has ended: a retry that passed its check just
        // before the fence (the back-off's full jitter may be a few milliseconds) is on the wire
        // already and cannot be withdrawn; it must meet the outage, not the recovery. Code that
        // resends the whole batch keeps retrying and never ends.
        try await eventually("the fenced delete ended without another try", within: .seconds(20)) { ended.isSet }
        h.sandbox.setChaos(.none)
        await #expect(throws: Abandoned.self) { try await delete.value }
        #expect(h.sandbox.stats().count(endpoint: "contact_actions.json", statuses: 200...299) == 0)
        #expect(h.sandbox.state().contact(urn: "ext:cus_1") != nil, "the fenced delete never landed")
        try await client.shutdown()
        await h.shutdown()
    }

    /// Records a poll handed out together with a revocation of their partition are not the
    /// worker's any more: not applied, not tracked. Fails when `admit` takes records of a
    /// partition it does not own (they applied stale events and wrote their versions to the
    /// new owner's versions partition).
    @Test func recordsOfARevokedPartitionAreNotAdmitted() async throws {
        let h = try await WorkerHarness(partitions: 1)
        let group = "g-own-admit"
        let a = await h.start(try h.configuration(group: group, untilCaughtUp: false), deadline: .seconds(60))
        try await eventually("the partition is assigned") { a.snapshot.assignedPartitions == 1 }
        await RebalanceBridge(worker: a.worker).partitionsRevoked([Self.p0])
        let late = event("customer.created", id: "late-1", entity: "late", version: 1, data: #""name": "Late""#)
        let record = KafkaRecord(
            topic: Self.p0.topic, partition: 0, offset: 0, key: Array(late.key.utf8), value: Array(late.json!.utf8))
        await a.worker.admit(record)
        try await Task.sleep(for: .milliseconds(500))
        #expect(h.sandbox.state().contacts.isEmpty, "the record of the revoked partition was not applied")
        #expect(await a.worker.lanes.pending(in: [Self.p0]) == 0, "nor tracked")
        #expect(a.snapshot.recordsIn == 0)
        try await a.shutdown()
        await h.shutdown()
    }

    /// A good record on the wire to a slow platform while the three bad ones behind it are
    /// dead-lettered, and its owner revoked past the drain deadline, then stopped; the platform
    /// is quick again for the next owner.
    static func revokedWithTheFirstRecordOnTheWire(group: String) async throws -> WorkerHarness {
        let h = try await WorkerHarness(partitions: 1, chaos: SandboxChaos(latencyMs: 3000))
        let good = event("customer.created", id: "slow-1", entity: "slow", version: 1, data: #""name": "Slow""#)
        try await h.produce([good, ("bad-1", "{not json"), ("bad-2", "{not json"), ("bad-3", "{not json")])
        let configuration = try h.configuration(group: group, untilCaughtUp: false) {
            $0.drainDeadline = .milliseconds(300)
        }
        let a = await h.start(configuration, deadline: .seconds(60))
        try await eventually("the bad records are dead-lettered") { a.snapshot.deadLetteredTotal == 3 }
        try await eventually("the good one is on the wire") { await a.worker.lanes.applying(nil) == 1 }
        await RebalanceBridge(worker: a.worker).partitionsRevoked([Self.p0])
        try await a.shutdown()
        #expect(try await h.deadLetters().count == 3)
        h.sandbox.setChaos(.none)
        return h
    }

    /// `group` holds offset 0 of the partition without metadata. The mock refuses a commit from
    /// outside a group it knows, so tests give the next owner a new group holding the commit
    /// they need, with the first group's versions topic.
    static func commitWithoutMetadata(_ h: WorkerHarness, group: String) async throws {
        let committer = try KafkaConsumer(
            properties: ["bootstrap.servers": h.cluster.bootstrapServers, "group.id": group], logger: h.logger)
        try await committer.commit([TopicPartitionOffset(h.topic, 0, 0)], metadata: [:])
        let kept = try await committer.committedWithMetadata([Self.p0])
        await committer.close()
        #expect(kept.first?.offset == 0 && kept.first?.metadata == nil, "committed without metadata: \(kept)")
    }

    /// A good record waits on a slow platform while the bad records behind it are dead-lettered:
    /// done, not committable. The owner is revoked past its drain deadline; its commit says in
    /// the metadata which offsets past the committed one are done, so the next owner dead-letters
    /// nothing again and applies only the abandoned record. Fails when the metadata is not
    /// written or not read (`ignore_commit_metadata` shows the difference: six dead letters).
    @Test func theNextOwnerDoesNotDeadLetterAgainWhatTheLastOneFinished() async throws {
        let group = "g-own-metadata"
        let h = try await Self.revokedWithTheFirstRecordOnTheWire(group: group)
        #expect(try await h.committed(group: group) == [0], "the slow record was not done: nothing committable")

        let b = try await h.start(try h.configuration(group: group), deadline: .seconds(60)).finished()
        #expect(b.recordsIn == 4, "the next owner read from the committed offset")
        #expect(b.skippedDoneBefore == 3, "and skipped the three its predecessor dead-lettered")
        #expect(try await h.deadLetters().count == 3, "each bad record dead-lettered exactly once")
        #expect(h.sandbox.state().contacts.count == 1)
        #expect(try await h.committed(group: group) == [4])
        await h.shutdown()
    }

    /// As above, on a broker that keeps the committed offset but drops its metadata (Tansu 0.6
    /// answers none): the revoking owner also left what it finished past the offset in the
    /// versions topic, and the next owner reads it there while it restores the partition's
    /// versions, keeping the partition's records until then. Fails when that record is not
    /// written at the revocation, not read by the restore, not used when the commit says
    /// nothing, or when records are dead-lettered before the restore said what was done (each
    /// seen: three more dead letters).
    @Test func theNextOwnerReadsWhatWasDoneFromTheVersionsTopicWhenTheBrokerDropsTheMetadata() async throws {
        let group = "g-own-no-metadata"
        let h = try await Self.revokedWithTheFirstRecordOnTheWire(group: group)
        // The group as such a broker keeps it: the offset, no metadata.
        let next = "g-own-no-metadata-next"
        try await Self.commitWithoutMetadata(h, group: next)

        let b = try await h.start(
            try h.configuration(group: next) { $0.versionsTopic = "\(group).versions" }, deadline: .seconds(60)
        ).finished()
        #expect(b.recordsIn == 4, "the next owner read from the committed offset")
        #expect(b.skippedDoneBefore == 3, "and skipped the three its predecessor dead-lettered")
        #expect(try await h.deadLetters().count == 3, "each bad record dead-lettered exactly once")
        #expect(h.sandbox.state().contacts.count == 1)
        await h.shutdown()
    }

    /// A member's last commit is refused (on Tansu, a member leaving while the group moved to a
    /// new generation met ILLEGAL_GENERATION), so the group keeps an older commit. The versions
    /// topic also says which offset the member had done everything before: the next owner
    /// skips from the group's commit up to there. Fails when that offset is not written, or
    /// not used (the three bad records dead-lettered again, the good one skipped by the guard).
    @Test func theNextOwnerSkipsWhatARefusedLastCommitHadDone() async throws {
        let h = try await WorkerHarness(partitions: 1)
        let good = event("customer.created", id: "c-1", entity: "kept", version: 1, data: #""name": "Kept""#)
        try await h.produce([good, ("bad-1", "{not json"), ("bad-2", "{not json"), ("bad-3", "{not json")])
        let group = "g-own-refused"
        let a = try await h.runUntilCaughtUp(group: group)
        #expect(a.caughtUp && a.deadLetteredTotal == 3)

        // The group as it is when that commit was refused: the commit before it (offset 0).
        let next = "g-own-refused-next"
        try await Self.commitWithoutMetadata(h, group: next)

        let posts = h.sandbox.stats().count(endpoint: "contacts.json", method: "POST")
        let b = try await h.runUntilCaughtUp(group: next) { $0.versionsTopic = "\(group).versions" }
        #expect(b.recordsIn == 4 && b.skippedDoneBefore == 4, "all four done by the previous owner: \(b)")
        #expect(try await h.deadLetters().count == 3, "each bad record dead-lettered exactly once")
        #expect(h.sandbox.stats().count(endpoint: "contacts.json", method: "POST") == posts)
        #expect(try await h.committed(group: next) == [4])
        await h.shutdown()
    }
}

/// The budget share when a partition count cannot be read.
@Suite(.serialized) struct BudgetShareLookupTests {
    /// A fresh instance whose lookups fail must not count the topic as 0 partitions: its share
    /// would be the whole workspace's budget beside the other instances' shares. Fails when a
    /// failed lookup counts as 0 (the share was 1).
    @Test func anUnreadablePartitionCountNeverMakesTheShareTheWhole() async throws {
        let h = try await WorkerHarness(partitions: 2)
        let configuration = try h.configuration(group: "g-own-share", untilCaughtUp: false) {
            $0.budgetContacts = RequestRate(requests: 600, per: .seconds(60))
            $0.budgetV2 = RequestRate(requests: 600, per: .seconds(60))
        }
        let a = await h.start(configuration, deadline: .seconds(90))
        try await eventually("both partitions are assigned") {
            a.snapshot.assignedPartitions == 2 && a.snapshot.budgetShare == 1
        }
        a.worker.partitionCounts.withLock { $0 = [:] }  // as a fresh instance knows nothing
        try h.cluster.setAllBrokers(up: false)
        await a.worker.updateBudgetShare()
        #expect(a.snapshot.budgetShare == 0, "an unknown count paces at the smallest share")
        try h.cluster.setAllBrokers(up: true)
        try await eventually("the share returns once the lookup answers", within: .seconds(30)) {
            a.snapshot.budgetShare == 1
        }
        try await a.shutdown()
        await h.shutdown()
    }
}
