import ContactSyncTesting
import Kafka
import MetricsTestKit
import Testing

@testable import SyncWorker

/// A partition this instance no longer owns has no lag of its: left exported, its frozen value
/// would win `max by (topic, partition)` in the alerts over the new owner's.
@Suite struct LagGaugeTests {
    @Test func aRevokedPartitionsLagGaugeIsRemoved() async throws {
        let h = try await WorkerHarness(partitions: 2)
        try await h.produce([
            event("customer.created", id: "a", entity: "cus_a", version: 1, data: #""name": "A""#),
            event("customer.created", id: "b", entity: "cus_b", version: 1, data: #""name": "B""#),
        ])
        let metrics = TestMetrics()
        let configuration = try h.configuration(group: "g-lag-gauge", untilCaughtUp: false) {
            $0.metricsFactory = metrics
        }
        let running = await h.start(configuration, deadline: .seconds(90))
        let partitions = (0..<2).map { TopicPartition(h.topic, Int32($0)) }
        func exported(_ partition: TopicPartition) -> Bool {
            (try? metrics.expectGauge(
                MetricNames.consumerLag, [("topic", partition.topic), ("partition", String(partition.partition))]))
                != nil
        }
        // The lag reporter runs every 10 s.
        try await eventually("both partitions' lag exported", within: .seconds(40)) {
            partitions.allSatisfy(exported)
        }
        await RebalanceBridge(worker: running.worker).partitionsRevoked([partitions[1]])
        #expect(!exported(partitions[1]), "the revoked partition's gauge is gone")
        #expect(exported(partitions[0]), "the kept partition's stays")
        _ = try await running.shutdown()
        await h.shutdown()
    }
}
