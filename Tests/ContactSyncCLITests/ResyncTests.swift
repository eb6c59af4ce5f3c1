import ContactSyncTesting
import Foundation
import Kafka
import PlatformClient
import PlatformSandbox
import SyncCore
import Testing

@testable import ContactSyncCLI
@testable import SyncWorker

/// `contact-sync resync` after the platform lost or changed data behind the worker's back.
@Suite(.serialized) struct ResyncTests {
    /// An edit made on the platform and a deleted contact come back as the events last said,
    /// and an older event of the range does not roll anything back. Fails when the guard skips
    /// the copies as duplicates (an offset reset alone does exactly that).
    @Test func aResyncWritesTheLastAppliedStateAgain() async throws {
        let h = try await WorkerHarness(partitions: 2)
        try await h.produce([
            event("customer.created", id: "a1", entity: "cus_a", version: 1, data: #""name": "Ana v1""#),
            event("customer.updated", id: "a2", entity: "cus_a", version: 2, data: #""name": "Ana v2""#),
            event("customer.created", id: "b1", entity: "cus_b", version: 1, data: #""name": "Bea""#),
            event("customer.created", id: "c1", entity: "cus_c", version: 1, data: #""name": "Caio""#),
        ])
        let group = "g-resync"
        _ = try await h.start(try h.configuration(group: group), deadline: .seconds(60)).finished()
        #expect(h.sandbox.state().contact(urn: "ext:cus_a")?.name == "Ana v2")

        // Behind the worker's back: an agent renames one contact, another is deleted.
        let agent = PlatformClient(
            options: .init(baseURL: h.sandbox.baseURL, token: APIToken(WorkerHarness.token)), logger: h.logger)
        let ana = try #require(h.sandbox.state().contact(urn: "ext:cus_a"))
        _ = try await agent.update(uuid: ana.uuid, body: ContactWrite(name: .set("renamed by hand")))
        let bea = try #require(h.sandbox.state().contact(urn: "ext:cus_b"))
        try await agent.perform(.delete, contacts: [bea.uuid])
        try await agent.shutdown()

        let copied = try await ResyncCopy(
            kafka: ["bootstrap.servers": h.cluster.bootstrapServers], topics: [h.topic],
            since: Date(timeIntervalSince1970: 0), dryRun: false, rate: nil
        ).run { _ in }
        #expect(copied == 4)
        let again = try await h.start(try h.configuration(group: group), deadline: .seconds(60)).finished()
        #expect(again.recordsIn == 4, "only the copies were read")
        #expect(again.skippedStale == 1, "Ana's v1 is older than what was applied: still skipped")
        #expect(h.sandbox.state().contact(urn: "ext:cus_a")?.name == "Ana v2", "the edit is undone by the re-sync")
        #expect(h.sandbox.state().contact(urn: "ext:cus_b")?.name == "Bea", "the deleted contact is back")
        #expect(h.sandbox.state().contact(urn: "ext:cus_c")?.name == "Caio")

        // A second run copies nothing twice: copies are not copied again.
        let second = try await ResyncCopy(
            kafka: ["bootstrap.servers": h.cluster.bootstrapServers], topics: [h.topic],
            since: Date(timeIntervalSince1970: 0), dryRun: true, rate: nil
        ).run { _ in }
        #expect(second == 4)
        await h.shutdown()
    }
}
