import ContactSyncTesting
import Foundation
import Kafka
import PlatformSandbox
import SyncCore
import Testing

@testable import SyncWorker

/// The real `contact-sync run` process stopped the way Kubernetes stops a pod: SIGTERM.
@Suite(.serialized) struct SignalExitTests {
    /// One partition, one call at a time, so what is applied is always a prefix of the partition;
    /// periodic commits are off, so the one commit is the shutdown's. It must drain the call in
    /// flight, commit exactly what is applied, and exit 0.
    @Test func sigtermMidWorkDrainsCommitsWhatIsAppliedAndExitsZero() async throws {
        _ = try #require(WorkerProcess.binary, "build the contact-sync product first (scripts/test does)")
        let h = try await WorkerHarness(partitions: 1, chaos: SandboxChaos(latencyMs: 150))
        let group = "g-sigterm"
        try await h.produce(
            (0..<40).map {
                event("customer.created", id: "t\($0)", entity: "t\($0)", version: 1, data: #""name": "t\#($0)""#)
            }
        )
        let settings = WorkerProcess.quick.merging([
            "CONTACT_SYNC_MAX_IN_FLIGHT": "1", "CONTACT_SYNC_COMMIT_INTERVAL_MS": "60000",
            "CONTACT_SYNC_DRAIN_DEADLINE_SECONDS": "30",
        ]) { $1 }
        let process = try WorkerProcess(harness: h, group: group, settings: settings).start(["run"])
        try await eventually("the worker applies its first records") {
            h.sandbox.state().contacts.count >= 3 || !process.isRunning
        }
        #expect(process.isRunning)
        kill(process.processIdentifier, SIGTERM)
        #expect(try await WorkerProcess.waitForExit(process, deadline: .seconds(60)), "exit status 0 after SIGTERM")

        let contacts = h.sandbox.state().contacts
        let committed = try #require(try await h.committed(group: group)[0], "the shutdown committed")
        #expect(contacts.count < 40, "SIGTERM came with work left")
        #expect(committed == Int64(contacts.count), "committed \(committed) for \(contacts.count) applied")
        for n in 0..<Int(committed) {
            #expect(h.sandbox.state().contact(urn: "ext:t\(n)")?.name == "t\(n)", "t\(n) is below the commit")
        }
        await h.shutdown()
    }
}
