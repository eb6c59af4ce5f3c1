import ContactSyncTesting
import Kafka
import PlatformSandbox
import SyncCore
import Testing

@testable import SyncWorker

/// A partition whose version guard's state is still being restored waits on its own: its
/// records take no call slot, so the other partitions keep every slot (no global stall).
@Suite(.serialized) struct WorkerRestoreHoldTests {
    /// Holds the restore of chosen versions partitions open until told, as a large versions
    /// topic would.
    actor RestoreGate {
        private let held: Set<Int32>
        private var waiting: [CheckedContinuation<Void, Never>] = []
        private var isOpen = false
        private(set) var reached = false

        init(holding held: Set<Int32>) { self.held = held }

        func wait(_ partition: Int32) async {
            guard held.contains(partition), !isOpen else { return }
            reached = true
            await withCheckedContinuation { waiting.append($0) }
        }

        func open() {
            isOpen = true
            for continuation in waiting { continuation.resume() }
            waiting = []
        }
    }

    private func written(_ h: WorkerHarness) -> Set<String> {
        Set(h.sandbox.state().contacts.flatMap(\.urns))
    }

    @Test func theOtherPartitionsUseEverySlotWhileOneRestores() async throws {
        let h = try await WorkerHarness(partitions: 2, chaos: SandboxChaos(latencyMs: 5))
        let events = (0..<24).map {
            event("customer.created", id: "r\($0)", entity: "r\($0)", version: 1, data: #""name": "r""#)
        }
        let reports = try await h.produce(events)
        let onHeld = Set(zip(events, reports).filter { $0.1.partition == 1 }.map { "ext:\($0.0.key)" })
        let others = Set(events.map { "ext:\($0.key)" }).subtracting(onHeld)
        try #require(!onHeld.isEmpty && !others.isEmpty, "the keys spread over both partitions")

        // Versions partition 1 guards source partition 1 (versions partitions = source partitions).
        let gate = RestoreGate(holding: [1])
        let group = "g-restore-hold"
        let run = await h.start(
            try h.configuration(group: group) {
                // One slot: a lane of the held partition that took it would stop everything.
                $0.maxInFlight = 1
                $0.beforeRestore = { await gate.wait($0) }
            }, deadline: .seconds(60))

        try await eventually("the other partition's contacts are all written", within: .seconds(30)) {
            others.isSubset(of: written(h))
        }
        #expect(await gate.reached, "partition 1's restore was under way all along")
        let whileHeld = written(h)
        #expect(whileHeld.isDisjoint(with: onHeld), "nothing of the restoring partition was applied")
        // The last of the others' calls may still be answering when its contact shows in the
        // sandbox; a held lane in the slot would keep it taken until the gate opens.
        try await eventually("no lane of the held partition sits in the slot", within: .seconds(10)) {
            await run.worker.lanes.inFlight == 0
        }

        await gate.open()
        try await eventually("the held partition's contacts follow", within: .seconds(30)) {
            onHeld.isSubset(of: written(h))
        }
        try await eventually("everything is committed", within: .seconds(30)) {
            try await h.committed(group: group)
                == reports.reduce(into: [Int64?](repeating: 0, count: 2)) {
                    $0[Int($1.partition)] = max($0[Int($1.partition)] ?? 0, $1.offset + 1)
                }
        }
        #expect(h.sandbox.state().contacts.count == events.count, "one contact each, nothing lost")
        try await run.shutdown()
        await h.shutdown()
    }
}
