import ContactSyncTesting
import Kafka
import PlatformClient
import PlatformSandbox
import SyncCore
import Testing

@testable import SyncWorker

/// A second member joins the group while the first waits 10 s for each platform call: longer
/// than the rebalance takes, so whether a partition moves before its calls ended shows.
@Suite(.serialized) struct WorkerJoinTests {
    static let slow = SandboxChaos(latencyMs: 10_000)

    /// A worker whose calls may take 30 s (the harness's give up after 5 s), running until
    /// `stop` or the deadline.
    struct Patient {
        let worker: Worker
        let run: Task<Void, any Error>
        let deadline: Task<Void, Never>

        init(_ h: WorkerHarness, _ configuration: WorkerConfiguration) {
            let worker = Worker(
                configuration: configuration,
                platform: .init(
                    baseURL: h.sandbox.baseURL, token: APIToken(WorkerHarness.token), requestTimeout: .seconds(30)),
                logger: h.logger)
            self.worker = worker
            run = Task { try await worker.run() }
            deadline = Task {
                guard (try? await Task.sleep(for: .seconds(120))) != nil else { return }
                worker.stop()
            }
        }

        func stop() async throws -> WorkerSnapshot {
            worker.stop()
            try await run.value
            deadline.cancel()
            return worker.status.snapshot
        }
    }

    static func updates(_ prefix: String, version: Int, partitions: [Int32]) -> [(
        partition: Int32, event: (key: String, json: String?)
    )] {
        partitions.map { partition in
            let entity = "\(prefix)\(partition)"
            return (
                partition,
                event(
                    "customer.updated", id: "\(entity)-v\(version)", entity: entity, version: version,
                    data: #""name": "v\#(version)""#)
            )
        }
    }

    /// Within the drain deadline the partitions move only once the calls in flight ended, and
    /// whatever the new owners read again is skipped, not applied.
    @Test func aJoiningMemberGetsItsPartitionAfterTheCallsInFlight() async throws {
        let h = try await WorkerHarness(partitions: 2, chaos: Self.slow)
        try await h.produce(Self.updates("j", version: 1, partitions: [0, 1]))
        let configuration = try h.configuration(group: "g-join-wait", untilCaughtUp: false) {
            $0.drainDeadline = .seconds(30)
        }
        let a = Patient(h, configuration)
        try await eventually("both records are being applied") { await a.worker.lanes.applying(nil) == 2 }
        let b = Patient(h, configuration)
        try await eventually("the partitions are shared") {
            try a.worker.assignment.count == 1 && b.worker.assignment.count == 1
        }
        #expect(h.sandbox.state().contacts.count == 2, "A's calls ended before it gave the partitions up")
        try await eventually("the new owners are done") { try await h.committed(group: "g-join-wait") == [1, 1] }
        let (sa, sb) = (try await a.stop(), try await b.stop())
        // Skipped by the guard, or as done by the previous owner (its versions topic record, where
        // the mock refused its commit while the rebalance was prepared).
        let skipped = sa.skippedDuplicate + sb.skippedDuplicate + sa.skippedDoneBefore + sb.skippedDoneBefore
        #expect(skipped == sa.recordsIn + sb.recordsIn - 2, "read again, skipped")
        #expect(sa.applied == 2 && sb.applied == 0)
        #expect(h.sandbox.stats().count(endpoint: "contacts.json", method: "POST") == 2, "one write per record")
        await h.shutdown()
    }

    /// Past the drain deadline A gives its partitions up with a call still in flight; the new
    /// owner applies a newer event of that contact at once. The older write must not land over
    /// it, nor its version be the last the versions topic holds for the contact.
    @Test
    func aCallLeftInFlightPastTheDeadlineDoesNotUndoTheNewOwnersWrite() async throws {
        let h = try await WorkerHarness(partitions: 2, chaos: Self.slow)
        try await h.produce(Self.updates("s", version: 1, partitions: [0, 1]))
        let group = "g-join-straggler"
        let configuration = try h.configuration(group: group, untilCaughtUp: false) {
            $0.drainDeadline = .milliseconds(300)
        }
        let a = Patient(h, configuration)
        try await eventually("both records are being applied") { await a.worker.lanes.applying(nil) == 2 }
        let b = Patient(h, configuration)
        try await eventually("the partitions are shared") {
            try a.worker.assignment.count == 1 && b.worker.assignment.count == 1
        }
        let moved = try #require(try b.worker.assignment.first).partition
        let key = "ext:s\(moved)"
        h.sandbox.setChaos(.none)
        try await h.produce(Self.updates("s", version: 2, partitions: [moved]))
        try await eventually("B applies v2") { h.sandbox.state().contact(urn: key)?.name == "v2" }
        try await eventually("A's abandoned calls end") { await a.worker.lanes.load == 0 }
        _ = try await a.stop()
        _ = try await b.stop()

        #expect(h.sandbox.state().contact(urn: key)?.name == "v2", "the contact holds the newest event")
        let last = try await h.records(of: "\(group).versions").last { $0.key == Array(key.utf8) }
        #expect(last.flatMap { $0.value.flatMap(AppliedVersion.init(decoding:)) }?.version == .sequence(2))
        await h.shutdown()
    }
}
