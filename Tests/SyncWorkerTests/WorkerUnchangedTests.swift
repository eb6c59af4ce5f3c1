import ContactSyncTesting
import Foundation
import Kafka
import PlatformClient
import PlatformSandbox
import SyncCore
import Testing

@testable import SyncWorker

/// A newer event that would write the image contact-sync last wrote (what a CDC stream sends
/// when a column the mapping ignores changes) spends no platform call: its version is recorded,
/// its offset done, and it counts as `skipped` (`unchanged`).
@Suite(.serialized) struct WorkerUnchangedTests {
    static let data = #""name": "Ana N", "phone": "+5582999000N", "groups": ["Customers"], "fields": {"plan": "gold"}"#

    static func image(_ n: Int, name: String? = nil) -> String {
        var text = data.replacingOccurrences(of: "N\"", with: "\(n)\"")
        if let name { text = text.replacingOccurrences(of: "Ana \(n)", with: name) }
        return text
    }

    @Test func aNewerEventThatChangesNothingMakesNoCallAndStillAdvancesTheVersion() async throws {
        let h = try await WorkerHarness(partitions: 2)
        let group = "g-unchanged"
        func run() async throws -> WorkerSnapshot {
            try await h.runUntilCaughtUp(group: group) { $0.managedGroups = ["Customers"] }
        }
        try await h.produce(
            (0..<30).map { n in
                event("customer.created", id: "c\(n)", entity: "cus_\(n)", version: 10, data: Self.image(n))
            })
        #expect(try await run().created == 30)
        let before = h.sandbox.stats()

        // A restarted worker (the digest came back with the versions topic): 20 events carry the
        // image already written, 10 a new name.
        try await h.produce(
            (0..<30).map { n in
                event(
                    "customer.updated", id: "u\(n)", entity: "cus_\(n)", version: 20,
                    data: Self.image(n, name: n < 20 ? nil : "Renamed \(n)"))
            })
        let second = try await run()
        let after = h.sandbox.stats()
        #expect(second.skippedUnchanged == 20)
        #expect(second.updated == 10)
        #expect(after.count(endpoint: "contacts.json") - before.count(endpoint: "contacts.json") == 10)
        #expect(after.count(endpoint: "contact_actions.json") == before.count(endpoint: "contact_actions.json"))
        #expect(h.sandbox.state().contact(urn: "ext:cus_25")?.name == "Renamed 25")

        // The skipped events advanced the version: a late one between the two stays out.
        try await h.produce([
            event("customer.updated", id: "late0", entity: "cus_0", version: 15, data: #""name": "Late""#)
        ])
        let third = try await run()
        #expect(third.skippedStale == 1)
        #expect(h.sandbox.state().contact(urn: "ext:cus_0")?.name == "Ana 0")
        await h.shutdown()
    }

    /// Records that need no call (here exact redeliveries) do not queue behind lanes waiting for
    /// the budget: waiting for budget holds no call slot. With one slot and a budget of one call
    /// every 5 s, the old scheduler ended the redeliveries only after the three writes ahead of
    /// them in the partition; fetching stopped meanwhile at the backpressure bound.
    @Test func recordsThatNeedNoCallDoNotWaitBehindTheBudget() async throws {
        let h = try await WorkerHarness(partitions: 1)
        let group = "g-unchanged-slots"
        let creates = (0..<20).map { n in
            event("customer.created", id: "c\(n)", entity: "cus_\(n)", version: 1, data: Self.image(n))
        }
        try await h.produce(creates)
        _ = try await h.runUntilCaughtUp(group: group)
        let before = h.sandbox.stats().count(endpoint: "contacts.json")
        try await h.produce(
            (0..<3).map { n in
                event("customer.created", id: "w\(n)", entity: "cus_w\(n)", version: 1, data: #""name": "W""#)
            } + creates)
        let configuration = try h.configuration(group: group) {
            $0.maxInFlight = 1
            $0.budgetContacts = RequestRate(requests: 12, per: .seconds(60))
        }
        let running = await h.start(configuration, deadline: .seconds(90))
        try await eventually("the 20 redeliveries skipped") { running.snapshot.skippedDuplicate == 20 }
        let writes = h.sandbox.stats().count(endpoint: "contacts.json") - before
        #expect(writes < 3, "the redeliveries ended after \(writes) of the 3 paced writes ahead of them")
        let done = try await running.finished()
        #expect(done.created == 3)
        await h.shutdown()
    }

    /// The digest is of what contact-sync wrote, not of what the platform holds: an agent's edit
    /// is corrected by the next real change or by a re-sync, which bypasses the digest.
    @Test func aResyncWritesEvenAnUnchangedImage() async throws {
        let h = try await WorkerHarness(partitions: 1)
        let group = "g-unchanged-resync"
        try await h.produce([event("customer.created", id: "c1", entity: "cus_r", version: 1, data: Self.image(1))])
        _ = try await h.runUntilCaughtUp(group: group)
        let client = PlatformClient(
            options: .init(baseURL: h.sandbox.baseURL, token: APIToken(WorkerHarness.token)), logger: h.logger)
        let uuid = try #require(h.sandbox.state().contact(urn: "ext:cus_r")?.uuid)
        _ = try await client.update(uuid: uuid, body: ContactWrite(name: .set("Edited by an agent")))
        try await client.shutdown()

        try await h.produce([event("customer.updated", id: "u2", entity: "cus_r", version: 2, data: Self.image(1))])
        let unchanged = try await h.runUntilCaughtUp(group: group)
        #expect(unchanged.skippedUnchanged == 1)
        #expect(h.sandbox.state().contact(urn: "ext:cus_r")?.name == "Edited by an agent", "documented: not corrected")

        try await h.produce(
            [event("customer.updated", id: "u2", entity: "cus_r", version: 2, data: Self.image(1))],
            headers: [KafkaHeader(Resync.header, Array("test".utf8))])
        let resynced = try await h.runUntilCaughtUp(group: group)
        #expect(resynced.skippedUnchanged == 0)
        #expect(resynced.updated == 1)
        #expect(h.sandbox.state().contact(urn: "ext:cus_r")?.name == "Ana 1")
        await h.shutdown()
    }

    /// A write that left something out (a URN another contact holds) keeps no digest: the same
    /// image sent again is tried again, in case the other contact let the URN go.
    @Test func aWriteThatLeftAURNOutIsTriedAgain() async throws {
        let h = try await WorkerHarness(partitions: 1)
        let group = "g-unchanged-conflict"
        try await h.produce([
            event("customer.created", id: "a1", entity: "cus_a", version: 1, data: #""phone": "+558299900077""#)
        ])
        _ = try await h.runUntilCaughtUp(group: group)
        try await h.produce([
            event("customer.created", id: "b1", entity: "cus_b", version: 1, data: #""phone": "+558299900077""#)
        ])
        let first = try await h.runUntilCaughtUp(group: group)
        #expect(first.urnConflicts == 1)
        try await h.produce([
            event("customer.updated", id: "b2", entity: "cus_b", version: 2, data: #""phone": "+558299900077""#)
        ])
        let second = try await h.runUntilCaughtUp(group: group)
        #expect(second.skippedUnchanged == 0)
        #expect(second.updated == 1)
        await h.shutdown()
    }
}
