import ContactSyncTesting
import Foundation
import Kafka
import PlatformSandbox

/// One scenario's world: the test kit's harness on three brokers (so that one can go down
/// while the others lead the rest), and the real `contact-sync run` binary as children of
/// this process, configured as the suite runs it.
struct Stage: Sendable {
    let harness: WorkerHarness
    let workers: WorkerProcess
    var sandbox: Sandbox { harness.sandbox }
    var cluster: MockCluster { harness.cluster }

    /// - Parameter breaking: the deliberate break every worker of this stage runs with
    ///   (`CONTACT_SYNC_TEST_BREAK`, read by debug builds).
    init(name: String, partitions: Int = 3, chaos: SandboxChaos = SandboxChaos(latencyMs: 5), breaking: String? = nil)
        async throws
    {
        harness = try await WorkerHarness(brokers: 3, partitions: partitions, chaos: chaos)
        var settings = WorkerProcess.quick
        // contact-sync owns the traffic's groups, so a contact holds exactly its newest event's.
        settings["CONTACT_SYNC_PLATFORM_MANAGED_GROUPS"] = "Customers,Cohort 0,Cohort 1,Cohort 2"
        settings["CONTACT_SYNC_TEST_BREAK"] = breaking
        // CHAOS_WORKER_LOG=path keeps the workers' logs (info level) for a failing scenario.
        let log = ProcessInfo.processInfo.environment["CHAOS_WORKER_LOG"]
        if log != nil { settings["CONTACT_SYNC_LOG_LEVEL"] = "info" }
        workers = try WorkerProcess(harness: harness, group: "chaos-\(name)", settings: settings, log: log)
    }

    /// Leaves `broker` leading only the dead-letter topic: taking it down then cuts off dead
    /// letters alone.
    func isolateDeadLetterTopic(on broker: Int32) throws {
        try cluster.setPartitionLeader(harness.dlq, partition: 0, broker: broker)
        for partition in 0..<Int32(harness.partitions) {
            try cluster.setPartitionLeader(harness.topic, partition: partition, broker: 1 + partition % 2)
            try cluster.setPartitionLeader("\(workers.group).versions", partition: partition, broker: 1 + partition % 2)
        }
        try cluster.setCoordinator(group: workers.group, broker: 1)
    }

    /// Sends the traffic in order, as one batch; returns where each record landed, in order.
    @discardableResult
    func produce(_ records: [Traffic.Record]) async throws -> [DeliveryReport] {
        try await harness.produce(records: records.map { ($0.key, $0.value) })
    }
}
