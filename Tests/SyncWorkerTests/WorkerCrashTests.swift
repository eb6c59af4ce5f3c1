import Foundation
import Kafka
import PlatformSandbox
import SyncCore
import Testing

@testable import SyncWorker

/// The real `contact-sync run` process, killed with SIGKILL at random moments and restarted.
@Suite(.serialized) struct WorkerCrashTests {
    /// The built executable, next to the test bundle.
    static var executable: URL? {
        var url = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = url.appendingPathComponent("contact-sync")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            url = url.deletingLastPathComponent()
        }
        return nil
    }

    @Test func killNineThenRestartEndsInTheLastEventsState() async throws {
        let binary = try #require(Self.executable, "build the contact-sync product first (scripts/test does)")
        let h = try await WorkerHarness(partitions: 3, chaos: SandboxChaos(latencyMs: 15))
        try h.cluster.createTopic("g-kill.versions", partitions: 3)
        var events: [(key: String, json: String?)] = []
        for v in 1...3 {
            for n in 0..<200 {
                let data = v == 3 && n % 10 == 0 ? "" : #""name": "k\#(n) v\#(v)", "fields": {"round": \#(v)}"#
                let type = v == 3 && n % 10 == 0 ? "customer.deleted" : "customer.updated"
                events.append(event(type, id: "k\(n)-\(v)", entity: "k\(n)", version: v, data: data))
            }
        }
        try await h.produce(events)
        let environment = [
            "CONTACT_SYNC_KAFKA_BOOTSTRAP_SERVERS": h.cluster.bootstrapServers, "CONTACT_SYNC_KAFKA_GROUP_ID": "g-kill",
            "CONTACT_SYNC_TOPICS": h.topic, "CONTACT_SYNC_DLQ_TOPIC": h.dlq,
            "CONTACT_SYNC_PLATFORM_URL": h.sandbox.baseURL,
            "CONTACT_SYNC_PLATFORM_TOKEN": WorkerHarness.token, "CONTACT_SYNC_HTTP_PORT": "0",
            "CONTACT_SYNC_MAX_IN_FLIGHT": "1",
            "CONTACT_SYNC_COMMIT_INTERVAL_MS": "100", "CONTACT_SYNC_LOG_LEVEL": "critical",
            "CONTACT_SYNC_KAFKA_SESSION_TIMEOUT_MS": "6000", "CONTACT_SYNC_KAFKA_HEARTBEAT_INTERVAL_MS": "500",
            "CONTACT_SYNC_PLATFORM_BUDGET_CONTACTS": "0", "CONTACT_SYNC_PLATFORM_BUDGET_V2": "0",
        ]
        func start() throws -> Process {
            let process = Process()
            process.executableURL = binary
            process.arguments = ["run", "--until-caught-up"]
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        // Each run is killed at a random moment shortly after it starts calling the platform
        // (a run first waits for the group: a killed member's session has to expire). The work
        // (200 keys, one call at a time, 15 ms each: 3 s) outlasts the five runs' (at most 1.5 s),
        // so every run dies with work left.
        var generator = SystemRandomNumberGenerator()
        var killedMidWork = 0
        for _ in 0..<5 {
            let before = h.sandbox.stats().total
            let process = try start()
            let deadline = ContinuousClock.now + .seconds(40)
            while h.sandbox.stats().total == before, process.isRunning, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            try await Task.sleep(for: .milliseconds(Int64.random(in: 0...300, using: &generator)))
            if process.isRunning && h.sandbox.stats().total > before { killedMidWork += 1 }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        #expect(killedMidWork == 5, "every run was killed in the middle of its work")
        let last = try start()
        let end = ContinuousClock.now + .seconds(120)
        while last.isRunning, ContinuousClock.now < end { try await Task.sleep(for: .milliseconds(100)) }
        if last.isRunning {
            kill(last.processIdentifier, SIGKILL)
            Issue.record("the final run did not catch up in time")
        }
        #expect(last.terminationStatus == 0)

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
