import Kafka
import Logging
import PlatformSandbox

/// Row 7: the release `contact-sync run` reading ahead over a 1M-event backlog against a
/// throttled platform: its peak RSS stays bounded while calls wait for budget.
enum BudgetMemoryRow {
    static let keys = MemoryBench.keys
    static let versions = MemoryBench.versions
    static let target = 150.0
    static let duration = 60

    static let spec = BudgetBench.Spec(
        id: "memory",
        name:
            "budget: peak RSS of `contact-sync run` over a \(formatted(Double(keys * versions)))-event backlog at a platform throttled to \(BudgetBench.throttle)",
        target: "≤ \(Int(target)) MB",
        notes:
            "Draining the backlog at \(BudgetBench.throttle) would take hours, so the worker binary (`platform.budget.*` = \(BudgetBench.throttle)) runs for a fixed \(duration) s, reading ahead up to its backpressure bounds while calls wait, and is then killed; peak RSS is the child's VmHWM sampled every 50 ms; backlog as in the memory row (\(formatted(Double(keys))) entities × \(versions) versions, key after key, \(MemoryBench.partitions) partitions).",
        measure: { try await measure(logger: $0) })

    static func measure(logger: Logger) async throws -> BudgetBench.Trial {
        guard let executable = MemoryBench.workerExecutable() else {
            return .init(
                figure: "not run: contact-sync is not built next to the bench (scripts/bench builds it)",
                raw: "no figures", met: false)
        }
        let cluster = try MockCluster(brokers: 1, logger: logger)
        let group = "bench-budget-memory"
        for (topic, count) in [
            ("customers", MemoryBench.partitions), ("\(group).dlq", 1), ("\(group).versions", MemoryBench.partitions),
        ] {
            try cluster.createTopic(topic, partitions: count)
        }
        try BenchEvents.produceBacklog(
            keys: keys, versions: versions, topic: "customers", bootstrapServers: cluster.bootstrapServers)
        let retained = try await MemoryBench.retainedRecords(cluster.bootstrapServers, logger: logger)
        guard retained == keys * versions else {
            return .init(
                figure: "not run: the mock cluster kept \(retained) of \(keys * versions) events", raw: "no figures",
                met: false)
        }
        let sandbox = try await Sandbox.start(
            SandboxOptions(token: "bench", throttle: SandboxThrottle(BudgetBench.throttle)), logger: logger)
        let arguments = [
            "run", "--bootstrap-servers", cluster.bootstrapServers, "--group-id", group, "--topics", "customers",
            "--platform-url", sandbox.baseURL, "--set", "dlq_topic=\(group).dlq", "--set", "http.host=127.0.0.1",
            "--set", "http.port=0",
            "--set", "log.level=warning", "--set", "platform.budget.contacts=\(BudgetBench.throttle)",
            "--set", "platform.budget.v2=\(BudgetBench.throttle)",
        ]
        let exit = try await ChildProcess.run(
            executable, arguments, environment: ["CONTACT_SYNC_PLATFORM_TOKEN": "bench"], timeout: .seconds(duration))
        let stats = sandbox.stats()
        await sandbox.shutdown()
        let committed = try await committedRecords(cluster.bootstrapServers, group: group, logger: logger)
        withExtendedLifetime(cluster) {}

        let mb = Double(exit.peakRSSBytes) / 1_048_576
        let killed = exit.status == 128 + 9
        let raw =
            "peak \(String(format: "%.1f", mb)) MB, ran \(secondsText(exit.wallTime)), exit \(exit.status)\(killed ? " (killed at the time limit, as planned)" : ": \(exit.stderrTail)"), contact calls \(stats.calls(scope: .contacts)), 429 \(stats.throttledTotal), records committed \(committed)"
        guard killed else {
            return .init(
                figure: "FAILED: the worker exited before the time limit (exit \(exit.status))", raw: raw, met: false)
        }
        return .init(figure: String(format: "%.0f MB", mb), raw: raw, met: mb <= target)
    }

    /// Records of the backlog the group has committed (done).
    static func committedRecords(_ bootstrapServers: String, group: String, logger: Logger) async throws -> Int {
        let consumer = try KafkaConsumer(
            properties: ["bootstrap.servers": bootstrapServers, "group.id": group], logger: logger)
        let partitions = (0..<Int32(MemoryBench.partitions)).map { TopicPartition("customers", $0) }
        var total: Int64 = 0
        for committed in (try? await consumer.committed(partitions)) ?? [] {
            let low = (try? await consumer.watermarks(committed.topicPartition).low) ?? 0
            total += max(0, committed.offset - low)
        }
        await consumer.close()
        return Int(total)
    }
}
