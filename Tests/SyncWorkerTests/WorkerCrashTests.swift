import ContactSyncTesting
import PlatformSandbox
import Testing

/// The real `contact-sync run` process, killed with SIGKILL at random moments and restarted.
@Suite(.serialized) struct WorkerCrashTests {
    @Test func killNineThenRestartEndsInTheLastEventsState() async throws {
        _ = try #require(WorkerProcess.binary, "build the contact-sync product first (scripts/test does)")
        let h = try await WorkerHarness(partitions: 3, chaos: SandboxChaos(latencyMs: 15))
        var events: [(key: String, json: String?)] = []
        for v in 1...3 {
            for n in 0..<200 {
                let data = v == 3 && n % 10 == 0 ? "" : #""name": "k\#(n) v\#(v)", "fields": {"round": \#(v)}"#
                let type = v == 3 && n % 10 == 0 ? "customer.deleted" : "customer.updated"
                events.append(event(type, id: "k\(n)-\(v)", entity: "k\(n)", version: v, data: data))
            }
        }
        try await h.produce(events)
        // One call at a time: the work (200 keys, 15 ms each: 3 s) outlasts the five killed runs'
        // (at most 1.5 s), so every run dies with work left.
        let workers = try WorkerProcess(
            harness: h, group: "g-kill",
            settings: WorkerProcess.quick.merging(["CONTACT_SYNC_MAX_IN_FLIGHT": "1"]) { $1 })
        let killedMidWork = try await workers.killNineAndRestart(runs: 5, within: .milliseconds(300))
        #expect(killedMidWork == 5, "every run was killed in the middle of its work")
        #expect(try await workers.runToEnd(deadline: .seconds(120)), "the final run caught up and exited 0")

        let state = h.sandbox.state()
        for n in 0..<200 {
            let contact = state.contact(urn: "ext:k\(n)")
            if n % 10 == 0 {
                #expect(contact == nil, "k\(n) was deleted last")
            } else {
                #expect(contact?.name == "k\(n) v3", "k\(n) holds its last event")
                #expect(contact?.fields["round"] == "3")
            }
        }
        #expect(state.contacts.count == 180, "no duplicate contacts")
        #expect(try await h.deadLetters().isEmpty)
        await h.shutdown()
    }
}
