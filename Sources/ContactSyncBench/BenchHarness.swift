import ContactSyncTesting
import Kafka
import Logging
import PlatformClient
import PlatformSandbox
import SyncCore
import SyncWorker

/// How the bench's rows use the test kit's harness: one group, workers configured as
/// `contact-sync run` is by default (its retry policy, 64 in flight), and what the rows measure
/// on top (a live producer, the final state against the events, the drain time).
extension WorkerHarness {
    static let benchGroup = "bench"

    /// The rows' world: six partitions on one broker, the sandbox as the row asks.
    static func bench(chaos: SandboxChaos = .none, throttle: SandboxThrottle = .unlimited, logger: Logger)
        async throws -> WorkerHarness
    {
        try await WorkerHarness(partitions: 6, chaos: chaos, throttle: throttle, logger: logger)
    }

    /// Starts a worker of the bench's group with the workspace's `budget` on both scopes. Most
    /// rows time out on limits of their own, shorter than the default `deadline`: it only keeps a
    /// broken run from hanging.
    func startWorker(
        budget: RequestRate, instance: String = "bench", untilCaughtUp: Bool = false, maxInFlight: Int = 64,
        managedGroups: [String] = [], deadline: Duration = .seconds(900)
    ) async throws -> RunningWorker {
        let configuration = try configuration(
            group: Self.benchGroup, untilCaughtUp: untilCaughtUp, retry: RetryPolicy()
        ) {
            $0.maxInFlight = maxInFlight
            $0.budgetContacts = budget
            $0.budgetV2 = budget
            $0.instanceID = instance
            $0.managedGroups = managedGroups
        }
        return await start(configuration, deadline: deadline)
    }

    /// Runs a bench worker with `budget` until it has caught up; `false` past `deadline`.
    func runUntilCaughtUp(
        budget: RequestRate, managedGroups: [String] = [], deadline: Duration = .seconds(60)
    ) async throws -> Bool {
        let running = try await startWorker(
            budget: budget, untilCaughtUp: true, managedGroups: managedGroups, deadline: deadline)
        return try await running.finished().caughtUp
    }

    /// The rows that start from existing contacts: `records` applied unthrottled (they must make
    /// `contacts` contacts), then the sandbox throttled at the rows' rate. `nil` when that went
    /// as planned, otherwise the row's failure (the rig shut down).
    func seedUnthrottled(
        _ records: [(key: String, value: [UInt8]?)], contacts: Int, managedGroups: [String] = [],
        deadline: Duration = .seconds(60)
    ) async throws -> BudgetBench.Trial? {
        try await produce(records: records)
        guard try await runUntilCaughtUp(budget: .unlimited, managedGroups: managedGroups, deadline: deadline),
            sandbox.state().contacts.count == contacts
        else {
            await shutdown()
            return .init(figure: "FAILED: the \(contacts) contacts were not created", raw: "no figures", met: false)
        }
        try sandbox.setThrottle(SandboxThrottle(BudgetBench.throttle))
        return nil
    }

    func produce(_ events: [BudgetEvent]) async throws {
        try await produce(records: events.map { ($0.key, $0.json) })
    }

    /// A live producer: sends `events` in order, one at a time at `perSecond`; each key's
    /// events keep their order.
    func produce(_ events: [BudgetEvent], perSecond: Double) async throws {
        let producer = try KafkaProducer(
            properties: ["bootstrap.servers": cluster.bootstrapServers, "linger.ms": "2"], logger: logger)
        let start = ContinuousClock.now
        let step = Duration.seconds(1 / perSecond)
        var pending: [Task<Void, any Error>] = []
        for (n, event) in events.enumerated() {
            try await Task.sleep(until: start + step * n)
            pending.append(
                Task { _ = try await producer.send(topic: topic, key: Array(event.key.utf8), value: event.json) })
            if pending.count >= 256 {
                for task in pending { try await task.value }
                pending.removeAll()
            }
        }
        for task in pending { try await task.value }
        await producer.close()
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
}

/// A drain as the rows time it: from the first record the worker fetched to the last offset it
/// committed (with `untilCaughtUp`, caught up once everything fetched is committed).
struct Drain {
    let caughtUp: Bool
    let time: Duration

    /// Polls `running` every `every` until it has caught up or `limit` has passed; `sample` sees
    /// each poll, with the time since the first record.
    static func measure(
        _ running: RunningWorker, limit: Duration, every: Duration,
        sample: (Duration, WorkerSnapshot) -> Void = { _, _ in }
    ) async -> Drain {
        let end = ContinuousClock.now + limit
        _ = await waitUntil(end, every: .milliseconds(2)) { running.snapshot.recordsIn > 0 }
        let started = ContinuousClock.now
        let caughtUp = await waitUntil(end, every: every) {
            let snapshot = running.snapshot
            sample(ContinuousClock.now - started, snapshot)
            return snapshot.caughtUp
        }
        return Drain(caughtUp: caughtUp, time: ContinuousClock.now - started)
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
