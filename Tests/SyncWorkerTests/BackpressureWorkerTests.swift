import ContactSyncTesting
import Kafka
import PlatformSandbox
import SyncCore
import Testing

@testable import SyncWorker

/// `Backpressure` through a running worker: a backlog far larger than the limit, a platform
/// slower than Kafka.
@Suite(.serialized) struct BackpressureWorkerTests {
    @Test func aSlowPlatformPausesFetchingThenItResumesAndNothingIsLost() async throws {
        let count = 1500
        let limit = 10
        // One poll takes at most this many records; the limit is checked between polls.
        let pollBatch = 500
        let h = try await WorkerHarness(partitions: 1, chaos: SandboxChaos(latencyMs: 10))
        try await h.produce(
            (0..<count).map {
                event("customer.created", id: "b\($0)", entity: "b\($0)", version: 1, data: #""name": "b""#)
            }
        )
        let group = "g-backpressure"
        let run = await h.start(
            try h.configuration(group: group) {
                $0.maxPendingEntities = limit
                $0.maxInFlight = 8
            }, deadline: .seconds(120))
        let worker = run.worker
        var peak = 0
        var pauses = 0
        var resumesWithWorkLeft = 0
        var wasPaused = false
        try await eventually("the worker catches up", within: .seconds(90)) {
            let snapshot = worker.status.snapshot
            peak = max(peak, await worker.lanes.pendingEntities)
            if snapshot.paused && !wasPaused { pauses += 1 }
            if !snapshot.paused && wasPaused && snapshot.recordsIn < count { resumesWithWorkLeft += 1 }
            wasPaused = snapshot.paused
            return snapshot.caughtUp
        }
        try await run.finished()

        // Sampled every 20 ms, so these are lower bounds of what happened: with at most
        // limit + pollBatch records admitted per stretch of fetching, 1,500 records took at least
        // two pauses and resumes, but a sample can miss one; at least one of each is certain.
        #expect(peak <= limit + pollBatch, "pending entities peaked at \(peak)")
        #expect(pauses >= 1, "fetching paused")
        #expect(resumesWithWorkLeft >= 1, "and resumed while records were left to fetch")
        let snapshot = worker.status.snapshot
        #expect(snapshot.recordsIn == count && snapshot.created == count && snapshot.deadLetteredTotal == 0)
        #expect(h.sandbox.state().contacts.count == count, "nothing lost")
        #expect(try await h.committed(group: group) == [Int64(count)])
        await h.shutdown()
    }
}
