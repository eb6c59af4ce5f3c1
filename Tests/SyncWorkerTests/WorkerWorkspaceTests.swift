import ContactSyncTesting
import Foundation
import Kafka
import PlatformClient
import PlatformSandbox
import SyncCore
import Testing

@testable import SyncWorker

/// One deployment, several workspaces: each event goes to the workspace it names, with that
/// workspace's token and budget; one workspace in trouble holds back only its own records.
@Suite(.serialized) struct WorkerWorkspaceTests {
    /// Both workspaces on one partition, their events interleaved; `acme` answers 5xx to
    /// everything for 12 s from the start. Meanwhile `globex` is fully synced; when `acme`
    /// returns it catches up, and nothing of it is dead-lettered.
    @Test func aWorkspaceDownHoldsBackOnlyItsOwnRecords() async throws {
        let h = try await WorkerHarness(
            partitions: 1, workspaces: [.named("acme", chaos: SandboxChaos(failRate: 1)), .named("globex")])
        var events: [(key: String, json: String?)] = []
        for n in 0..<100 {
            for tenant in ["acme", "globex"] {
                events.append(
                    tenantEvent(
                        tenant, "customer.created", id: "\(tenant)-\(n)", entity: "cus_\(n)",
                        data: #""name": "\#(tenant) \#(n)""#))
            }
        }
        try await h.produce(events)
        let outageStarted = ContinuousClock.now
        let running = await h.start(
            try h.configuration(group: "g-ws-outage", untilCaughtUp: false) {
                $0.workspaces = [h.workspace("acme"), h.workspace("globex")]
                $0.decoder.workspaceFrom = WorkerHarness.tenantSelector
            }, deadline: .seconds(120))
        try await eventually("globex fully synced while acme is down", within: .seconds(60)) {
            h.sandbox.state(workspace: "globex").contacts.count == 100
        }
        #expect(h.sandbox.state(workspace: "acme").contacts.isEmpty, "acme was down the whole time")
        #expect(h.sandbox.stats(workspace: "acme").count(statuses: 500...599) > 0, "acme's calls met the outage")
        #expect(running.snapshot.notReadyReason == nil, "ready: globex is healthy")
        try await eventually("acme counted as unhealthy", within: .seconds(30)) {
            running.snapshot.unhealthyWorkspaces["acme"] != nil
        }
        // The outage lasts its 12 s whatever the other workspace did meanwhile.
        try await Task.sleep(until: outageStarted + .seconds(12))
        h.sandbox.setChaos(.none, workspace: "acme")
        try await eventually("acme catches up", within: .seconds(60)) {
            h.sandbox.state(workspace: "acme").contacts.count == 100
        }
        // Looked up every 500 ms, not `eventually`'s 20 ms: each look-up is a new admin client
        // whose blocking calls hold a thread of the pool every other test shares.
        var committed = try await h.committed(group: "g-ws-outage")
        for _ in 0..<60 where committed != [200] {
            try await Task.sleep(for: .milliseconds(500))
            committed = try await h.committed(group: "g-ws-outage")
        }
        #expect(committed == [200], "everything committed")
        let snapshot = try await running.shutdown()
        #expect(snapshot.deadLetteredTotal == 0, "an outage is waited out: \(snapshot.deadLettered)")
        #expect(try await h.deadLetters().isEmpty)
        #expect(snapshot.unhealthyWorkspaces.isEmpty)
        for n in [0, 99] {
            #expect(h.sandbox.state(workspace: "acme").contact(urn: "ext:cus_\(n)")?.name == "acme \(n)")
            #expect(h.sandbox.state(workspace: "globex").contact(urn: "ext:cus_\(n)")?.name == "globex \(n)")
        }
        await h.shutdown()
    }

    /// A workspace whose token is refused (401) is unhealthy on its own: the worker stays
    /// ready, the other workspace is synced, and its records wait (not dead-lettered) until the
    /// token is accepted again.
    @Test func aRefusedTokenHoldsBackOnlyItsWorkspace() async throws {
        let h = try await WorkerHarness(
            partitions: 1,
            workspaces: [.named("acme", chaos: SandboxChaos(rejectAllTokens: true)), .named("globex")])
        var events: [(key: String, json: String?)] = []
        for n in 0..<20 {
            for tenant in ["acme", "globex"] {
                events.append(
                    tenantEvent(
                        tenant, "customer.created", id: "\(tenant)-\(n)", entity: "cus_\(n)", data: #""name": "N""#))
            }
        }
        try await h.produce(events)
        let running = await h.start(
            try h.configuration(group: "g-ws-token", untilCaughtUp: false) {
                $0.workspaces = [h.workspace("acme"), h.workspace("globex")]
                $0.decoder.workspaceFrom = WorkerHarness.tenantSelector
            }, deadline: .seconds(90))
        try await eventually("globex synced, acme's token refused", within: .seconds(60)) {
            h.sandbox.state(workspace: "globex").contacts.count == 20
                && running.snapshot.unhealthyWorkspaces["acme"]?.contains("token") == true
        }
        #expect(running.snapshot.notReadyReason == nil, "ready while globex is healthy")
        #expect(running.snapshot.unhealthyWorkspaces["globex"] == nil)
        h.sandbox.setChaos(.none, workspace: "acme")
        try await eventually("acme catches up once its token is accepted", within: .seconds(60)) {
            h.sandbox.state(workspace: "acme").contacts.count == 20
        }
        let snapshot = try await running.shutdown()
        #expect(snapshot.deadLetteredTotal == 0 && snapshot.unhealthyWorkspaces.isEmpty)
        await h.shutdown()
    }

    /// A workspace paused by configuration gets no call at all; its records wait (nothing
    /// dead-lettered, nothing committed past them) while the other's flow, and a restart
    /// without the pause applies them.
    @Test func aWorkspacePausedByConfigurationGetsNoCallAndWaits() async throws {
        let h = try await WorkerHarness(partitions: 1, workspaces: [.named("acme"), .named("globex")])
        var events: [(key: String, json: String?)] = []
        for n in 0..<10 {
            for tenant in ["acme", "globex"] {
                events.append(
                    tenantEvent(
                        tenant, "customer.created", id: "\(tenant)-\(n)", entity: "cus_\(n)", data: #""name": "N""#))
            }
        }
        try await h.produce(events)
        func configure(paused: Bool) throws -> WorkerConfiguration {
            try h.configuration(group: "g-ws-paused", untilCaughtUp: !paused) {
                var acme = h.workspace("acme")
                acme.paused = paused
                $0.workspaces = [acme, h.workspace("globex")]
                $0.decoder.workspaceFrom = WorkerHarness.tenantSelector
            }
        }
        let running = await h.start(try configure(paused: true), deadline: .seconds(60))
        try await eventually("globex synced", within: .seconds(30)) {
            h.sandbox.state(workspace: "globex").contacts.count == 10
        }
        #expect(running.snapshot.unhealthyWorkspaces["acme"]?.contains("paused by configuration") == true)
        #expect(running.snapshot.notReadyReason == nil)
        let paused = try await running.shutdown()
        #expect(h.sandbox.stats(workspace: "acme").total == 0, "not one call, the token probe's included")
        #expect(paused.deadLetteredTotal == 0)
        #expect(try await h.committed(group: "g-ws-paused") == [0], "the first record is acme's: nothing committed")
        let resumed = try await h.start(try configure(paused: false), deadline: .seconds(60)).finished()
        #expect(resumed.caughtUp && resumed.deadLetteredTotal == 0)
        #expect(h.sandbox.state(workspace: "acme").contacts.count == 10)
        await h.shutdown()
    }

    /// The same customer id in two workspaces is two contacts, each with its own events, and
    /// two entities in the versions topic.
    @Test func theSameKeyInTwoWorkspacesIsTwoContacts() async throws {
        let h = try await WorkerHarness(partitions: 1, workspaces: [.named("acme"), .named("globex")])
        try await h.produce([
            tenantEvent("acme", "customer.created", id: "a1", entity: "cus_1", version: 1, data: #""name": "Ana""#),
            tenantEvent("globex", "customer.created", id: "g1", entity: "cus_1", version: 5, data: #""name": "Bo""#),
            // Older than globex's version 5: applied in acme all the same (its own guard).
            tenantEvent("acme", id: "a2", entity: "cus_1", version: 2, data: #""name": "Ana Lima""#),
        ])
        let snapshot = try await h.runUntilCaughtUp(group: "g-ws-same-key") {
            $0.workspaces = [h.workspace("acme"), h.workspace("globex")]
            $0.decoder.workspaceFrom = WorkerHarness.tenantSelector
        }
        #expect(snapshot.caughtUp && snapshot.deadLetteredTotal == 0 && snapshot.skippedStale == 0)
        let acme = try #require(h.sandbox.state(workspace: "acme").contact(urn: "ext:cus_1"))
        let globex = try #require(h.sandbox.state(workspace: "globex").contact(urn: "ext:cus_1"))
        #expect(acme.name == "Ana Lima" && globex.name == "Bo")
        #expect(h.sandbox.state(workspace: nil).contacts.isEmpty, "nothing went to the token-less default")
        let keys = Set(
            try await h.records(of: "g-ws-same-key.versions").compactMap {
                // Entities' keys; not what the worker left as done when it stopped (`DoneOffsets+Versions`).
                $0.key.flatMap { $0.first == 0 ? nil : String(decoding: $0, as: UTF8.self) }
            })
        #expect(keys == ["acme\u{1F}ext:cus_1", "globex\u{1F}ext:cus_1"])
        await h.shutdown()
    }

    /// An event naming a workspace that is not configured, or none, is dead-lettered
    /// (`unknown_workspace`) with the name in its headers; the rest are applied.
    @Test func anUnknownWorkspaceIsDeadLettered() async throws {
        let h = try await WorkerHarness(partitions: 1, workspaces: [.named("acme")])
        try await h.produce([
            tenantEvent("acme", "customer.created", id: "a1", entity: "cus_1", data: #""name": "Ana""#),
            tenantEvent("initech", "customer.created", id: "i1", entity: "cus_2", data: #""name": "Peter""#),
            tenantEvent(nil, "customer.created", id: "n1", entity: "cus_3", data: #""name": "Nobody""#),
        ])
        let snapshot = try await h.runUntilCaughtUp(group: "g-ws-unknown") {
            $0.workspaces = [h.workspace("acme")]
            $0.decoder.workspaceFrom = WorkerHarness.tenantSelector
        }
        #expect(snapshot.caughtUp && snapshot.deadLettered == ["unknown_workspace": 2])
        #expect(h.sandbox.state(workspace: "acme").contacts.map(\.name) == ["Ana"])
        let letters = try await h.deadLetters()
        #expect(letters.count == 2)
        for letter in letters {
            #expect(letter.header("contactsync.reason") == "unknown_workspace")
        }
        let named = letters.first { $0.header("contactsync.event_id") == "i1" }
        #expect(named?.header("contactsync.workspace") == "initech")
        #expect(named?.header("__connect.errors.exception.message")?.contains("not configured") == true)
        await h.shutdown()
    }

    /// A workspace throttled at 60/min beside one at 1,200/min: each paces to its own budget
    /// (≥ 95 % of it while both have a backlog) and neither draws a 429.
    @Test func eachWorkspaceSpendsItsOwnBudget() async throws {
        let h = try await WorkerHarness(
            partitions: 1,
            workspaces: [
                .named("slow", throttle: SandboxThrottle("60/m")), .named("fast", throttle: SandboxThrottle("1200/m")),
            ])
        var events: [(key: String, json: String?)] = []
        for n in 0..<1_000 {
            events.append(
                tenantEvent("fast", "customer.created", id: "f\(n)", entity: "cus_\(n)", data: #""name": "F\#(n)""#))
            if n < 100 {
                events.append(
                    tenantEvent("slow", "customer.created", id: "s\(n)", entity: "cus_\(n)", data: #""name": "S\#(n)""#)
                )
            }
        }
        try await h.produce(events)
        let running = await h.start(
            try h.configuration(group: "g-ws-budgets", untilCaughtUp: false) {
                $0.workspaces = [
                    h.workspace("slow", budget: RequestRate(requests: 60, per: .seconds(60))),
                    h.workspace("fast", budget: RequestRate(requests: 1200, per: .seconds(60))),
                ]
                $0.decoder.workspaceFrom = WorkerHarness.tenantSelector
            }, deadline: .seconds(120))
        try await eventually("both workspaces called", within: .seconds(30)) {
            h.sandbox.stats(workspace: "slow").calls(scope: .contacts) > 0
                && h.sandbox.stats(workspace: "fast").calls(scope: .contacts) > 0
        }
        // Rates from each workspace's first to its last call seen in 30 s (see `callRates`).
        let rates = try await callRates(
            over: .seconds(30),
            [
                { h.sandbox.stats(workspace: "slow").calls(scope: .contacts) },
                { h.sandbox.stats(workspace: "fast").calls(scope: .contacts) },
            ])
        let (slow, fast) = (rates[0], rates[1])
        let snapshot = try await running.shutdown()
        #expect(slow >= 0.95 * 1, "slow: \(slow) calls/s of 1/s")
        #expect(fast >= 0.95 * 20, "fast: \(fast) calls/s of 20/s")
        #expect(h.sandbox.stats(workspace: "slow").throttledTotal == 0)
        #expect(h.sandbox.stats(workspace: "fast").throttledTotal == 0)
        #expect(snapshot.throttled == 0 && snapshot.deadLetteredTotal == 0)
        await h.shutdown()
    }
}
