import ContactSyncTesting
import Kafka
import PlatformClient
import PlatformSandbox
import SyncCore
import Testing

@testable import SyncWorker

/// The workspace's budget against the sandbox's DRF throttle (a sliding window per scope).
@Suite(.serialized) struct WorkerBudgetTests {
    /// `count` rounds of updates of `entities` contacts (`cus_N`), one round after the other:
    /// round `v` names contact N "N<n> v<v>".
    static func rounds(_ count: Int, of entities: Int) -> [(key: String, json: String?)] {
        (1...count).flatMap { v in
            (0..<entities).map { n in
                event(
                    "customer.updated", id: "e\(n)-\(v)", entity: "cus_\(n)", version: v,
                    data: #""name": "N\#(n) v\#(v)""#)
            }
        }
    }

    /// Interleaved updates of 60 entities: the worker paces below the window (no 429) and
    /// folds each entity's queued events into about one call. 40 rounds (1,200 records a
    /// partition) make it a backlog the worker reads ahead of its writes: with 5 rounds the
    /// folding hung on the fetch outrunning the budget, and on a CI machine busy with the
    /// rest of the suite it did not (96 calls).
    @Test func aBacklogIsPacedBelowTheWindowAndFolded() async throws {
        let h = try await WorkerHarness(partitions: 2, throttle: SandboxThrottle("20/s"))
        try await h.produce(Self.rounds(40, of: 60))
        let snapshot = try await h.runUntilCaughtUp(group: "g-paced", deadline: .seconds(90)) {
            $0.budgetContacts = RequestRate(requests: 20, per: .seconds(1))
            $0.budgetV2 = RequestRate(requests: 20, per: .seconds(1))
        }
        let stats = h.sandbox.stats()
        #expect(snapshot.caughtUp && snapshot.deadLetteredTotal == 0)
        #expect(stats.throttledTotal == 0, "paced below the window: no 429")
        #expect(snapshot.throttled == 0)
        let calls = stats.calls(scope: .contacts)
        #expect(calls >= 60 && calls <= 63, "about one call per entity, not per event: \(calls)")
        for n in 0..<60 { #expect(h.sandbox.state().contact(urn: "ext:cus_\(n)")?.name == "N\(n) v40") }
        await h.shutdown()
    }

    /// A backlog of 20 rounds of updates over 100 contacts, read ahead: every contact is
    /// written once, with its last round. Without the read-ahead (`readAhead = .zero`, the
    /// control) lanes write while the backlog is still coming in, and write again later.
    /// Both runs read it a round (one produced batch) a fetch over a link with 100 ms round
    /// trips (the mock broker's RTT): 2 s of reading at least, whatever the machine's load.
    /// With the backlog in one batch a busy machine sometimes had it all prefetched before the
    /// first poll, and the control wrote each contact once. Fails when lanes spend the budget before the
    /// backlog is read (`ReadAhead` off, updated after the poll's records were admitted, or
    /// letting go one poll after the threshold: the last records then come in small fetches).
    @Test func aBacklogIsReadAheadSoEachContactIsWrittenOnce() async throws {
        let h = try await WorkerHarness(partitions: 1)
        // A batch a round: a fetch returns at least one whole batch, whatever its byte limit.
        for round in 1...20 { try await h.produce(Array(Self.rounds(round, of: 100).suffix(100))) }
        try h.cluster.setRoundTripTime(broker: 1, milliseconds: 100)
        var calls: [Duration: Int] = [:]
        for (group, readAhead) in [("g-read-ahead", Duration.seconds(30)), ("g-read-ahead-off", .zero)] {
            let before = h.sandbox.stats().calls(scope: .contacts)
            let snapshot = try await h.runUntilCaughtUp(group: group) {
                $0.budgetContacts = RequestRate(requests: 50, per: .seconds(1))
                $0.readAhead = readAhead
                $0.kafka["max.partition.fetch.bytes"] = "2048"
            }
            #expect(snapshot.caughtUp && snapshot.deadLetteredTotal == 0)
            calls[readAhead] = h.sandbox.stats().calls(scope: .contacts) - before
            for n in 0..<100 { #expect(h.sandbox.state().contact(urn: "ext:cus_\(n)")?.name == "N\(n) v20") }
        }
        print("read-ahead: \(calls[.seconds(30)] ?? 0) contact calls, without: \(calls[.zero] ?? 0)")
        #expect(calls[.seconds(30)] == 100, "one write per contact")
        #expect((calls[.zero] ?? 0) > 120, "the control writes many contacts twice: \(calls[.zero] ?? 0)")
        await h.shutdown()
    }

    /// A throttled backlog of group moves and deletes, v2 paced at 2 calls a second: 200 contacts
    /// move from A to B (200 removes, 200 adds, each after its contacts write, paced at 20/s) and
    /// 100 are deleted, interleaved. Lanes feed the batcher for about 11 s, well inside the 51 s a
    /// batch may wait for company, so each kind goes in full calls of 100 and its remainder once
    /// no lane is left: 2 + 2 + 1 = 5 calls, ceil(500 / 100) + 1 = 6 at most (the backlog's first
    /// action may find no lane on its way yet). Fails on the batcher that took a v2 ticket per
    /// kind and sent what had queued at each slot (memberships holding their lanes' call slots):
    /// a call every slot while the lanes run.
    @Test func aBacklogOfMovesAndDeletesFillsItsActionCalls() async throws {
        let h = try await WorkerHarness(partitions: 2)
        var events: [(key: String, json: String?)] = (0..<300).map { n in
            event(
                "customer.created", id: "c\(n)", entity: "cus_\(n)", version: 1,
                data: #""name": "N\#(n)", "groups": ["A"]"#)
        }
        try await h.produce(events)
        let managed = ["A", "B"]
        _ = try await h.runUntilCaughtUp(group: "g-moves") { $0.managedGroups = managed }
        #expect(h.sandbox.state().contacts.filter { $0.groups == ["A"] }.count == 300)

        try h.sandbox.setThrottle(SandboxThrottle("20/s"))
        let before = h.sandbox.stats()
        events = (0..<300).map { n in
            n % 3 == 0
                ? event("customer.deleted", id: "d\(n)", entity: "cus_\(n)", version: 2)
                : event("customer.updated", id: "u\(n)", entity: "cus_\(n)", version: 2, data: #""groups": ["B"]"#)
        }
        try await h.produce(events)
        let snapshot = try await h.runUntilCaughtUp(group: "g-moves", deadline: .seconds(120)) {
            $0.managedGroups = managed
            $0.budgetContacts = RequestRate(requests: 20, per: .seconds(1))
            $0.budgetV2 = RequestRate(requests: 120, per: .seconds(60))
        }
        let after = h.sandbox.stats()
        #expect(snapshot.caughtUp && snapshot.deadLetteredTotal == 0)
        #expect(after.throttledTotal == before.throttledTotal, "paced below the window: no 429")
        let state = h.sandbox.state()
        for n in 0..<300 {
            let groups = state.contact(urn: "ext:cus_\(n)")?.groups
            #expect(n % 3 == 0 ? groups == nil : groups == ["B"], "cus_\(n): \(groups ?? [])")
        }
        let calls = after.count(endpoint: "contact_actions.json") - before.count(endpoint: "contact_actions.json")
        #expect(calls >= 5 && calls <= 6, "500 actions of 3 kinds in full calls: \(calls)")
        await h.shutdown()
    }

    /// Another client spends the same budget: 429s pause the scope, spend no event's retry
    /// budget and dead-letter nothing; the worker settles below what is left.
    @Test func anotherClientSpendingTheBudgetCausesPausesNotDeadLetters() async throws {
        let h = try await WorkerHarness(partitions: 2, throttle: SandboxThrottle("20/s"))
        var events: [(key: String, json: String?)] = []
        for n in 0..<150 {
            events.append(
                event("customer.created", id: "c\(n)", entity: "cus_\(n)", version: 1, data: #""name": "N\#(n)""#))
        }
        try await h.produce(events)
        let other = PlatformClient(
            options: .init(baseURL: h.sandbox.baseURL, token: APIToken(WorkerHarness.token)), logger: h.logger)
        let spender = Task {
            // 10 reads a second on the contacts scope for as long as the worker runs.
            while !Task.isCancelled {
                _ = try? await other.contact(urn: URN(parsing: "ext:nobody"))
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        let snapshot = try await h.runUntilCaughtUp(group: "g-shared", deadline: .seconds(90)) {
            $0.budgetContacts = RequestRate(requests: 20, per: .seconds(1))
            $0.budgetV2 = RequestRate(requests: 20, per: .seconds(1))
        }
        spender.cancel()
        _ = await spender.result
        try await other.shutdown()
        #expect(snapshot.caughtUp)
        #expect(snapshot.throttled > 0, "the other client's spending met the worker")
        #expect(snapshot.deadLetteredTotal == 0, "a 429 is a pause, not a failure")
        #expect(h.sandbox.state().contacts.count == 150)
        await h.shutdown()
    }
}
