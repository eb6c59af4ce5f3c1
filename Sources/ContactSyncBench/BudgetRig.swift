import Foundation
import Kafka
import Logging
import PlatformClient
import PlatformSandbox
import SyncWorker

/// What every budget row runs on: librdkafka's mock cluster, the sandbox over HTTP (its DRF
/// throttle set as the row asks), and real `Worker`s in this process pointed at both.
final class BudgetRig: Sendable {
    static let token = "bench"
    static let topic = "customers"
    let cluster: MockCluster
    let sandbox: Sandbox
    let group: String
    let partitions: Int
    let logger: Logger

    /// - Parameter throttle: the sandbox's budget, e.g. `SandboxThrottle("1200/m")`.
    init(partitions: Int = 6, throttle: SandboxThrottle, latencyMs: Int = 0, logger: Logger) async throws {
        self.partitions = partitions
        self.logger = logger
        cluster = try MockCluster(brokers: 1, logger: logger)
        group = "budget-\(UUID().uuidString.prefix(8))"
        for (topic, count) in [(Self.topic, partitions), ("\(group).dlq", 1), ("\(group).versions", partitions)] {
            try cluster.createTopic(topic, partitions: count)
        }
        var options = SandboxOptions(token: Self.token, latencyMs: latencyMs, throttle: throttle)
        options.pageSize = 250
        sandbox = try await Sandbox.start(options, logger: logger)
    }

    /// A worker of this rig's group with the workspace's `budget` on both scopes. The session
    /// timeout is low because the mock cluster ignores LeaveGroup: a stopped member holds its
    /// partitions until its session expires.
    func worker(budget: RequestRate, instance: String = "bench", untilCaughtUp: Bool = false, maxInFlight: Int = 64)
        -> Worker
    {
        let configuration = WorkerConfiguration(
            kafka: [
                "bootstrap.servers": cluster.bootstrapServers, "session.timeout.ms": "6000",
                "heartbeat.interval.ms": "500",
            ],
            groupID: group, topics: [Self.topic], deadLetterTopic: "\(group).dlq", maxInFlight: maxInFlight,
            budgetContacts: budget, budgetV2: budget, commitInterval: .milliseconds(200), drainDeadline: .seconds(10),
            untilCaughtUp: untilCaughtUp, instanceID: instance)
        return Worker(
            configuration: configuration,
            platform: .init(baseURL: sandbox.baseURL, token: APIToken(Self.token), maxConnections: maxInFlight),
            logger: logger)
    }

    /// Sends `events` in order, one at a time at `perSecond` (a live producer), or as fast as
    /// delivery allows when `perSecond` is nil. Each key's events keep their order.
    func produce(_ events: [BudgetEvent], perSecond: Double? = nil) async throws {
        let producer = try KafkaProducer(
            properties: ["bootstrap.servers": cluster.bootstrapServers, "linger.ms": "2"], logger: logger)
        defer { producer.close() }
        guard let perSecond else {
            // Version rounds in order; within a round every key is distinct, so they may fly together.
            for round in Set(events.map(\.version)).sorted() {
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    for event in events where event.version == round {
                        tasks.addTask {
                            _ = try await producer.send(
                                topic: Self.topic, key: Array(event.key.utf8), value: event.json)
                        }
                    }
                    try await tasks.waitForAll()
                }
            }
            return
        }
        let start = ContinuousClock.now
        let step = Duration.seconds(1 / perSecond)
        var pending: [Task<Void, any Error>] = []
        for (n, event) in events.enumerated() {
            try await Task.sleep(until: start + step * n)
            pending.append(
                Task { _ = try await producer.send(topic: Self.topic, key: Array(event.key.utf8), value: event.json) })
            if pending.count >= 256 {
                for task in pending { try await task.value }
                pending.removeAll()
            }
        }
        for task in pending { try await task.value }
    }

    /// Entities (of `expected`) whose contact is missing or not at its last event.
    func wrongEntities(_ expected: [String: BudgetEvent]) -> Int {
        let state = sandbox.state()
        let names = Dictionary(state.contacts.flatMap { contact in contact.urns.map { ($0, contact.name) } }) {
            first, _ in first
        }
        return expected.values.filter { event in
            switch event.kind {
            case .update: names["ext:\(event.key)"] != event.name
            case .delete: names["ext:\(event.key)"] != nil
            }
        }.count
    }

    func shutdown() async {
        await sandbox.shutdown()
        withExtendedLifetime(cluster) {}
    }
}

/// Polls `condition` every `every` until it holds; false once `deadline` passed.
func waitUntil(_ deadline: ContinuousClock.Instant, every: Duration = .milliseconds(100), _ condition: () async -> Bool)
    async -> Bool
{
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: every)
    }
    return await condition()
}
