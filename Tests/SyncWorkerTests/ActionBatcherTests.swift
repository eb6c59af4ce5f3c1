import ContactSyncTesting
import PlatformClient
import PlatformSandbox
import SyncCore
import Synchronization
import Testing

@testable import SyncWorker

/// `ActionBatcher` against the sandbox over HTTP, with the `v2` scope paced: actions fill their
/// 100-contact calls while lanes still feed them, and a lone action is not held for company.
/// Each test names the broken code it would catch.
@Suite(.serialized) struct ActionBatcherTests {
    /// 240 v2 calls a minute: a slot every 255 ms once the window is full, and a batch that is not
    /// full may wait for company up to 100 slots (25 s), far longer than the lanes below take.
    static let v2 = RequestRate(requests: 240, per: .seconds(60))

    /// The batcher under test, for its own `feeding` closure: lanes are on their way until every
    /// one has handed in its action (the worker's lanes holding a call slot stand for this).
    final class Expected: Sendable {
        let batcher = Mutex<ActionBatcher?>(nil)
        let actions: Int
        init(_ actions: Int) { self.actions = actions }
        func feeding() async -> Bool {
            guard let batcher = batcher.withLock({ $0 }) else { return true }
            return await batcher.received < actions
        }
    }

    /// The lanes' turns, taken in order by whichever call slot is free.
    final class Turns: Sendable {
        private let next = Atomic(0)
        let count: Int
        init(_ count: Int) { self.count = count }
        func take() -> Int? {
            let n = next.add(1, ordering: .relaxed).oldValue
            return n < count ? n : nil
        }
    }

    static func gate(_ h: WorkerHarness, contacts: RequestRate) async -> PlatformGate {
        let gate = PlatformGate(
            contacts: contacts, v2: v2, retry: RetryPolicy(), status: WorkerStatus(), logger: h.logger,
            isStopping: { false })
        await gate.setShare(1)
        return gate
    }

    static func client(_ h: WorkerHarness) -> PlatformClient {
        PlatformClient(
            options: .init(baseURL: h.sandbox.baseURL, token: APIToken(WorkerHarness.token)), logger: h.logger)
    }

    /// 500 lanes through 32 call slots, each lane paced by the contacts scope (40 a second, as a
    /// throttled backlog writes its contacts) and then handing the batcher a delete or a group add,
    /// interleaved, and its slot to the next lane (as the worker's lanes do): 250 of each arrive
    /// over about 12 s while v2 slots come every 255 ms. Each key takes exactly ceil(250 / 100) = 3
    /// calls: two full ones while the lanes feed, the last 50 once the last lane has handed in.
    /// Fails on the batcher that took a ticket per key and sent whatever had queued at each slot
    /// (53 calls, about 10 actions each).
    @Test func actionsFromManyPacedLanesFillTheirBatches() async throws {
        let h = try await WorkerHarness(partitions: 1)
        let client = Self.client(h)
        let group = try await client.createGroup(name: "Movers")
        for n in 0..<250 {
            _ = try await client.create(body: ContactWrite(name: .set("D\(n)"), urns: ["ext:del_\(n)"]))
            _ = try await client.create(body: ContactWrite(name: .set("G\(n)"), urns: ["ext:grp_\(n)"]))
        }
        let gate = await Self.gate(h, contacts: RequestRate(requests: 40, per: .seconds(1)))
        let expected = Expected(500)
        let batcher = ActionBatcher(client: client, gate: gate, feeding: { await expected.feeding() })
        expected.batcher.withLock { $0 = batcher }
        let before = h.sandbox.stats().count(endpoint: "contact_actions.json")

        let turns = Turns(500)
        let handedIn = try await withThrowingTaskGroup(of: [Task<ActionBatcher.Outcome, any Error>].self) { slots in
            for _ in 0..<32 {
                slots.addTask {
                    var actions: [Task<ActionBatcher.Outcome, any Error>] = []
                    while let n = turns.take() {
                        let budget = RetryBudget(limit: .seconds(30))
                        let urn = n % 2 == 0 ? "ext:del_\(n / 2)" : "ext:grp_\(n / 2)"
                        let parsed = try URN(parsing: urn)
                        _ = try await gate.call(.contacts, budget) { try await client.contact(urn: parsed) }
                        actions.append(
                            Task {
                                n % 2 == 0
                                    ? try await batcher.perform(.delete, contact: urn, budget: budget)
                                    : try await batcher.perform(.add, contact: urn, group: group.uuid, budget: budget)
                            })
                    }
                    return actions
                }
            }
            return try await slots.reduce(into: []) { $0 += $1 }
        }
        var outcomes: [ActionBatcher.Outcome] = []
        for action in handedIn { outcomes.append(try await action.value) }

        let calls = h.sandbox.stats().count(endpoint: "contact_actions.json") - before
        #expect(outcomes.count == 500 && outcomes.allSatisfy { $0 == .done })
        #expect(calls == 6, "250 deletes and 250 adds in 3 calls each: \(calls)")
        #expect(await batcher.calls == 6)
        let state = h.sandbox.state()
        #expect(state.contacts.count == 250, "the 250 deleted are gone")
        #expect(state.contacts.allSatisfy { $0.groups == ["Movers"] }, "the other 250 were added")
        try await client.shutdown()
        await h.shutdown()
    }

    /// With no lane on its way, a lone action takes the next v2 slot: asked for before the test
    /// asks for its second slot, it has been sent when that call returns. Fails on a batcher that
    /// holds every batch that is not full for company (the lone delete would wait 100 slots).
    @Test func aLoneActionGoesAtItsTicket() async throws {
        let h = try await WorkerHarness(partitions: 1)
        let client = Self.client(h)
        _ = try await client.create(body: ContactWrite(name: .set("Lone"), urns: ["ext:lone"]))
        let gate = await Self.gate(h, contacts: .unlimited)
        let batcher = ActionBatcher(client: client, gate: gate, feeding: { false })
        let lone = Task {
            try await batcher.perform(.delete, contact: "ext:lone", budget: RetryBudget(limit: .seconds(30)))
        }
        // Two v2 calls one after the other: the batcher asks for its slot during the first (its
        // linger is 50 ms, a slot 255 ms), so it is served before the second.
        for _ in 0..<2 {
            _ = try await gate.call(.v2, RetryBudget(limit: .seconds(30))) { try await client.listGroups() }
        }
        #expect(h.sandbox.stats().count(endpoint: "contact_actions.json") == 1, "sent in its own slot")
        #expect(try await lone.value == .done)
        #expect(h.sandbox.state().contact(urn: "ext:lone") == nil)
        try await client.shutdown()
        await h.shutdown()
    }
}
