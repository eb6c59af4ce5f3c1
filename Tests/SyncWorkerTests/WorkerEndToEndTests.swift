import ContactSyncTesting
import Foundation
import Kafka
import PlatformSandbox
import SyncCore
import Testing

@testable import SyncWorker

@Suite(.serialized) struct WorkerEndToEndTests {
    @Test func duplicatesOutOfOrderAndBadInputEndInTheRightState() async throws {
        let h = try await WorkerHarness()
        var events: [(key: String, json: String?)] = []
        for n in 0..<20 {
            events.append(
                event(
                    "customer.created", id: "c\(n)", entity: "cus_\(n)", version: 1,
                    data: #""name": "Customer \#(n)", "groups": ["Customers"], "fields": {"plan": "basic"}"#))
        }
        for n in 0..<20 {
            events.append(
                event(
                    "customer.updated", id: "u\(n)", entity: "cus_\(n)", version: 2,
                    data: #""name": "Customer \#(n) v2", "phone": "+5582999\#(String(format: "%05d", n))""#))
            // An exact redelivery.
            events.append(
                event(
                    "customer.updated", id: "u\(n)", entity: "cus_\(n)", version: 2,
                    data: #""name": "Customer \#(n) v2", "phone": "+5582999\#(String(format: "%05d", n))""#))
            // Out of order.
            events.append(
                event("customer.updated", id: "old\(n)", entity: "cus_\(n)", version: 1, data: #""name": "stale""#))
        }
        events.append(event("customer.deleted", id: "d5", entity: "cus_5", version: 3))
        events.append(
            event("customer.updated", id: "late5", entity: "cus_5", version: 2, data: #""name": "resurrected?""#))
        events.append(("bad-1", "{not json"))
        events.append(
            event("customer.updated", id: "bad-lang", entity: "cus_bad", version: 1, data: #""language": "xx""#))
        events.append(event("customer.exploded", id: "bad-type", entity: "cus_bad2", version: 1))
        try await h.produce(events)

        let snapshot = try await h.runUntilCaughtUp(group: "g-e2e")
        #expect(snapshot.caughtUp)
        let state = h.sandbox.state()
        #expect(state.contacts.count == 19, "20 created, 1 deleted, no duplicates")
        for n in 0..<20 where n != 5 {
            let contact = try #require(state.contact(urn: "ext:cus_\(n)"))
            #expect(contact.name == "Customer \(n) v2")
            #expect(contact.urns.contains("tel:+5582999\(String(format: "%05d", n))"))
            #expect(contact.urns.first == "ext:cus_\(n)")
            #expect(contact.fields["plan"] == "basic")
        }
        #expect(state.contact(urn: "ext:cus_5") == nil, "a stale update never resurrects a deleted contact")
        #expect(snapshot.deadLetteredTotal == 3)
        #expect(snapshot.recordsIn == events.count)
        let dead = try await h.deadLetters()
        #expect(
            Set(dead.compactMap { $0.header("contactsync.reason") }) == [
                "malformed_json", "invalid_language", "unknown_type",
            ])
        #expect(dead.allSatisfy { $0.header("__connect.errors.topic") == "customers" })
        await h.shutdown()
    }

    @Test func aRestartedWorkerKeepsTheVersionGuardAndReplaysDoNothing() async throws {
        let h = try await WorkerHarness()
        try await h.produce([
            event("customer.created", id: "a1", entity: "cus_a", version: 5, data: #""name": "Five""#),
            event("customer.deleted", id: "b1", entity: "cus_b", version: 7),
        ])
        try await h.runUntilCaughtUp(group: "g-restart")
        // Later, an old event is replayed (or redelivered) into the topic.
        try await h.produce([
            event("customer.updated", id: "a0", entity: "cus_a", version: 4, data: #""name": "Four""#),
            event("customer.created", id: "b0", entity: "cus_b", version: 6, data: #""name": "Back?""#),
        ])
        let second = try await h.runUntilCaughtUp(group: "g-restart")
        #expect(second.skippedStale == 2)
        #expect(h.sandbox.state().contact(urn: "ext:cus_a")?.name == "Five")
        #expect(h.sandbox.state().contact(urn: "ext:cus_b") == nil)
        await h.shutdown()
    }

    @Test func flakyPlatformLosesNothingAndDeadLettersNothing() async throws {
        // 30 % 5xx, and 429 storms past 10 writes/s (with Retry-After).
        let h = try await WorkerHarness(chaos: SandboxChaos(failRate: 0.3, ratePerSecond: 10))
        var events: [(key: String, json: String?)] = []
        for n in 0..<40 {
            events.append(
                event("customer.created", id: "f\(n)", entity: "cus_f\(n)", version: 1, data: #""name": "F\#(n)""#))
        }
        try await h.produce(events)
        let snapshot = try await h.runUntilCaughtUp(group: "g-flaky")
        #expect(snapshot.deadLetteredTotal == 0)
        #expect(snapshot.retries > 0)
        #expect(h.sandbox.stats().count(status: 429) > 0, "the storm happened")
        #expect(h.sandbox.state().contacts.count == 40)
        await h.shutdown()
    }

    @Test func steadyDistinctKeysCostOneCallEach() async throws {
        let h = try await WorkerHarness(partitions: 3)
        var events: [(key: String, json: String?)] = []
        for n in 0..<100 {
            events.append(
                event("customer.updated", id: "s\(n)", entity: "cus_steady\(n)", version: 1, data: #""name": "S\#(n)""#)
            )
        }
        try await h.produce(events)
        _ = try await h.runUntilCaughtUp(group: "g-steady")
        let calls = h.sandbox.stats().count(endpoint: "contacts.json")
        print("steady: \(calls) contact calls for 100 events (\(Double(calls) / 100) per event)")
        #expect(calls == 100)
        #expect(h.sandbox.state().contacts.count == 100)
        await h.shutdown()
    }

    @Test func burstsOfOneKeyCoalesceIntoFewCalls() async throws {
        let h = try await WorkerHarness(partitions: 1)
        var events: [(key: String, json: String?)] = []
        for key in 0..<10 {
            for v in 1...10 {
                events.append(
                    event(
                        "customer.updated", id: "b\(key)-\(v)", entity: "cus_burst\(key)", version: v,
                        data: #""name": "v\#(v)""#))
            }
        }
        try await h.produce(events)
        let snapshot = try await h.runUntilCaughtUp(group: "g-burst")
        let calls = h.sandbox.stats().count(endpoint: "contacts.json")
        #expect(h.sandbox.state().contacts.count == 10)
        #expect(h.sandbox.state().contacts.allSatisfy { $0.name == "v10" })
        // Every event either made its own write or was folded into one: nothing vanished.
        #expect(snapshot.applied + snapshot.coalesced == 100)
        #expect(snapshot.skipped == 0 && snapshot.deadLetteredTotal == 0)
        print("burst: \(calls) contact calls for 100 events (\(Double(calls) / 100) per event)")
        #expect(Double(calls) / 100 <= 0.3, "\(calls) contact calls for 100 events")
        await h.shutdown()
    }
}
