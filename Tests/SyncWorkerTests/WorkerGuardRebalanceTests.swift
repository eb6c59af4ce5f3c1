import ContactSyncTesting
import Kafka
import PlatformSandbox
import SyncCore
import Testing

@testable import SyncWorker

/// The version guard moves with a partition: the member that takes it over has never seen its
/// entities and knows what was applied only from the versions topic.
@Suite(.serialized) struct WorkerGuardRebalanceTests {
    @Test func aReplayReachingTheNewOwnerOfAPartitionIsSkipped() async throws {
        let h = try await WorkerHarness(partitions: 2)
        let group = "g-guard-moves"
        func entity(_ partition: Int, _ n: Int) -> String { "gm\(partition)-\(n)" }
        func change(_ partition: Int, _ n: Int, version: Int, id: String? = nil, delete: Bool = false) -> (
            partition: Int32, event: (key: String, json: String?)
        ) {
            let key = entity(partition, n)
            return (
                Int32(partition),
                event(
                    delete ? "customer.deleted" : "customer.updated", id: id ?? "\(key)-v\(version)", entity: key,
                    version: version, data: delete ? "" : #""name": "\#(key) v\#(version)""#)
            )
        }
        // Member A applies v1 then v2 of two entities per partition.
        var history: [(partition: Int32, event: (key: String, json: String?))] = []
        for partition in 0..<2 {
            for n in 0..<2 { history += [change(partition, n, version: 1), change(partition, n, version: 2)] }
        }
        try await h.produce(history)
        let configuration = try h.configuration(group: group, untilCaughtUp: false)
        let runA = await h.start(configuration, deadline: .seconds(120))
        let a = runA.worker
        try await eventually("A applied and committed everything") {
            try await h.committed(group: group) == [4, 4]
        }
        let callsBefore = h.sandbox.stats().count(endpoint: "contacts.json")

        // Member B joins and takes one partition over, guard state loaded from the versions topic.
        let runB = await h.start(configuration, deadline: .seconds(120))
        let b = runB.worker
        try await eventually("the partitions are shared") {
            try a.assignment.count == 1 && b.assignment.count == 1
        }
        let moved = try #require(try b.assignment.first).partition
        #expect(try a.assignment.first?.partition == 1 - moved, "A kept the other partition")

        // Into B's partition: an exact redelivery of v2, a replay of v1, and an old delete.
        var replays: [(partition: Int32, event: (key: String, json: String?))] = []
        for n in 0..<2 {
            replays += [
                change(Int(moved), n, version: 2), change(Int(moved), n, version: 1, id: "replay-\(n)"),
                change(Int(moved), n, version: 1, id: "old-delete-\(n)", delete: true),
            ]
        }
        let before = try await h.committed(group: group)
        try await h.produce(replays)
        try await eventually("B is done with the six") {
            try await h.committed(group: group)[Int(moved)] == (before[Int(moved)] ?? 0) + 6
        }
        let sb = b.status.snapshot
        #expect(sb.recordsIn == 6)
        #expect(sb.skippedDuplicate == 2, "the redelivered v2s")
        #expect(sb.skippedStale == 4, "the replayed v1s and the old deletes")
        #expect(sb.applied == 0)
        #expect(h.sandbox.stats().count(endpoint: "contacts.json") == callsBefore, "no call for any of them")
        #expect(h.sandbox.stats().count(endpoint: "contact_actions.json") == 0, "nothing deleted")
        for partition in 0..<2 {
            for n in 0..<2 {
                let key = entity(partition, n)
                #expect(h.sandbox.state().contact(urn: "ext:\(key)")?.name == "\(key) v2", "\(key) not rolled back")
            }
        }
        runA.beginShutdown()
        runB.beginShutdown()
        try await runA.finished()
        try await runB.finished()
        await h.shutdown()
    }
}
