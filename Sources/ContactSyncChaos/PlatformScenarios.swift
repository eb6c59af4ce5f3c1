import ContactSyncTesting
import Foundation
import Kafka
import Logging
import PlatformClient
import PlatformSandbox
import SyncCore
import Synchronization

/// Scenarios of the platform as it really is: shared with people and flows, and throttled.
extension Scenarios {
    /// The platform already holds contacts for half the entities (an earlier sync or import), a
    /// third of those opted out (`stopped`), and a flow puts every new contact into "Opted In".
    /// Every entity must end in its last event's state (a stopped contact keeps its memberships:
    /// the platform refuses group changes for it), the flow's group must stay, and nothing but
    /// the bad inputs may be dead-lettered.
    static func populatedWorkspace(_ run: ScenarioRun) async throws -> Verdict {
        let stage = try await Stage(name: "populated", chaos: SandboxChaos(latencyMs: 5), breaking: run.breaking)
        let traffic = try withBadInputs(
            run.short ? 20 : 100, in: Traffic.good(entities: run.short ? 100 : 300, versions: 2))
        let client = PlatformClient(
            options: .init(baseURL: stage.sandbox.baseURL, token: APIToken(WorkerHarness.token)),
            logger: stage.harness.logger)
        var imported: Set<String> = []
        for key in traffic.finals.keys.sorted() where (Int(key.dropFirst()) ?? 1) % 2 == 0 {
            let contact = try await client.create(
                body: ContactWrite(name: .set("Imported \(key)"), urns: ["ext:\(key)"]))
            imported.insert(contact.uuid)
            if (Int(key.dropFirst()) ?? 1) % 6 == 0 { try stage.sandbox.setContactStatus(contact.uuid, to: .stopped) }
        }
        try await client.shutdown()
        stage.sandbox.setFlow(SandboxFlow(groupOnCreate: "Opted In"))
        try await stage.produce(traffic.records)
        let caughtUp = try await stage.workers.runToEnd()

        let state = stage.sandbox.state()
        let created = state.contacts.filter { !imported.contains($0.uuid) }
        let flowGroupLost = created.filter { !$0.groups.contains("Opted In") }
        let stoppedKept = state.contacts.filter { imported.contains($0.uuid) && $0.status == .stopped }
        var verdict = try await finish(
            "populated workspace, flows, opt-outs", stage, traffic, caughtUp: caughtUp,
            note:
                "\(imported.count) contacts there before, \(stoppedKept.count) of them stopped, \(created.count) created into a flow's group"
        ) { state in
            for index in state.contacts.indices {
                state.contacts[index].groups.removeAll { $0 == "Opted In" }
                // The platform keeps a stopped contact out of group changes: its groups are not the events' to set.
                if state.contacts[index].status == .stopped,
                    let key = state.contacts[index].urns.first(where: { $0.hasPrefix("ext:") })?.dropFirst(4),
                    case .present(let expected)? = traffic.finals[String(key)]
                {
                    state.contacts[index].groups = expected.groups.sorted()
                }
            }
        }
        verdict.wrongFinal += flowGroupLost.count
        if let lost = flowGroupLost.first {
            verdict.example("\(lost.urns.first ?? lost.uuid): the flow's group \"Opted In\" was removed")
        }
        verdict.require(!imported.isEmpty && !stoppedKept.isEmpty, "no contact was there before, or none stopped")
        verdict.require(!created.isEmpty, "no contact was created into the flow's group")
        return verdict
    }

    /// Three instances in one group against a throttled workspace (DRF's sliding window) while
    /// another API client spends about a third of the same budget: 429s must be pauses, never
    /// dead letters or losses.
    ///
    /// The other client calls about ten times a second, and until an instance has met a 429 it
    /// spends a whole second's budget at once every three seconds, as a person's bulk script
    /// does: a steady trickle beside instances that pace themselves may never meet a full window
    /// (a CI run saw no 429 at all); a burst fills it, so whatever the instances send in the next
    /// second is refused. Only 429s answered to the instances count as the fault biting.
    static func throttledGroup(_ run: ScenarioRun) async throws -> Verdict {
        let stage = try await Stage(name: "throttled", chaos: SandboxChaos(latencyMs: 5), breaking: run.breaking)
        let window = 30
        try stage.sandbox.setThrottle(SandboxThrottle("\(window)/s"))
        let traffic = Traffic.good(entities: run.short ? 90 : 300, versions: 2)
        try await stage.produce(traffic.records)
        let budget = ["CONTACT_SYNC_PLATFORM_BUDGET_CONTACTS": "30/s", "CONTACT_SYNC_PLATFORM_BUDGET_V2": "30/s"]
        let workers = try (0..<3).map { _ in try stage.workers.start(extra: budget) }
        let other = PlatformClient(
            options: .init(baseURL: stage.sandbox.baseURL, token: APIToken(WorkerHarness.token)),
            logger: stage.harness.logger)
        // Stopped between bursts, not cancelled: a cancelled lookup may be answered (and counted) all the same.
        let stop = Mutex(false)
        let sandbox = stage.sandbox
        let spender = Task { () -> (calls: Int, throttled: Int) in
            var calls = 0
            var throttled = 0
            while !stop.withLock({ $0 }) {
                let instancesMet429 = sandbox.stats().throttled(scope: .contacts) > throttled
                await withTaskGroup(of: Bool.self) { burst in
                    for _ in 0..<(instancesMet429 ? 1 : window) {
                        burst.addTask {
                            do {
                                _ = try await other.contact(urn: URN(parsing: "ext:someone-else"))
                                return false
                            } catch let error as PlatformError {
                                if case .throttled = error { return true }
                                return false
                            } catch {
                                return false
                            }
                        }
                    }
                    for await refused in burst {
                        calls += 1
                        if refused { throttled += 1 }
                    }
                }
                try? await Task.sleep(for: instancesMet429 ? .milliseconds(100) : .seconds(3))
            }
            return (calls, throttled)
        }
        var caughtUp = true
        for worker in workers {
            caughtUp = try await WorkerProcess.waitForExit(worker, deadline: .seconds(300)) && caughtUp
        }
        stop.withLock { $0 = true }
        let spent = await spender.value
        try await other.shutdown()
        let stats = stage.sandbox.stats()
        // The other client's lookups are on the contacts scope too: what is left was answered to the instances.
        let throttled = stats.throttled(scope: .contacts) - spent.throttled
        var verdict = try await finish(
            "throttled 30/s, 3 instances, another client", stage, traffic, caughtUp: caughtUp,
            note:
                "\(stats.calls(scope: .contacts) - spent.calls) contact calls by the instances, \(throttled) × 429 to them; the other client made \(spent.calls) calls, \(spent.throttled) refused"
        )
        verdict.require(spent.calls > 0, "the other client made no call")
        verdict.require(throttled > 0, "no instance was throttled: the budget was never contested")
        return verdict
    }
}
