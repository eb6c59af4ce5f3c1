import ContactSyncTesting
import Kafka
import PlatformClient
import PlatformSandbox
import Testing

@testable import SyncWorker

/// What a new deployment meets first (issue 26): Kafka away when the pod starts, a Secret with
/// a token the platform refuses. Neither may crash-loop or pass for ready.
@Suite(.serialized) struct WorkerStartupTests {
    func events(_ count: Int) -> [(key: String, json: String?)] {
        (0..<count).map {
            event("customer.updated", id: "late\($0)", entity: "late\($0)", version: 1, data: #""name": "L\#($0)""#)
        }
    }

    /// Used to exit 1 after the 5 s metadata timeout; now waits, not ready, and starts when the
    /// brokers come back.
    @Test func kafkaDownAtStartWaitsNotReadyAndStartsWhenItReturns() async throws {
        let h = try await WorkerHarness(partitions: 1)
        try await h.produce(events(10))
        let configuration = try h.configuration(group: "g-kafka-late")
        try h.cluster.setAllBrokers(up: false)
        let run = await h.start(configuration, deadline: .seconds(120))
        try await eventually("not ready, naming Kafka", within: .seconds(20)) {
            run.snapshot.notReadyReason?.contains("versions topic g-kafka-late.versions") == true
        }
        try await Task.sleep(for: .seconds(8))  // past the 5 s after which start-up used to give up
        #expect(run.snapshot.startupProblem != nil, "still waiting, still up")
        try h.cluster.setAllBrokers(up: true)
        let snapshot = try await run.finished()  // until caught up: throws if the run had failed
        #expect(snapshot.caughtUp)
        #expect(snapshot.startupProblem == nil)
        #expect(snapshot.notReadyReason == nil)
        #expect(h.sandbox.state().contacts.count == 10)
        await h.shutdown()
    }

    /// An idle worker (no event ever arrives) with a token the platform refuses is not ready
    /// within seconds: the start-up probe asks.
    @Test func aRefusedTokenMakesAnIdleWorkerNotReady() async throws {
        let h = try await WorkerHarness(partitions: 1)
        let configuration = try h.configuration(group: "g-bad-token", untilCaughtUp: false)
        let worker = Worker(
            configuration: configuration,
            platform: .init(baseURL: h.sandbox.baseURL, token: APIToken("not-the-token"), requestTimeout: .seconds(5)),
            logger: h.logger)
        let run = await h.start(worker: worker, deadline: .seconds(60))
        try await eventually("not ready for the token", within: .seconds(5)) {
            worker.status.snapshot.notReadyReason?.contains("refuses the API token") == true
        }
        #expect(worker.status.snapshot.tokenRefused)
        try await run.shutdown()
        await h.shutdown()
    }

    @Test func anAcceptedTokenLeavesAnIdleWorkerReady() async throws {
        let h = try await WorkerHarness(partitions: 1)
        let run = await h.start(
            try h.configuration(group: "g-good-token", untilCaughtUp: false), deadline: .seconds(60))
        try await eventually("the probe was answered", within: .seconds(10)) {
            h.sandbox.stats().count(endpoint: "fields.json") >= 1
        }
        #expect(run.snapshot.notReadyReason == nil)
        #expect(!run.snapshot.tokenRefused)
        try await run.shutdown()
        await h.shutdown()
    }
}
