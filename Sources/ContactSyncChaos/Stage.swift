import Foundation
import Kafka
import Logging
import PlatformSandbox

/// One scenario's world: a mock cluster and a sandbox in this process, and the real
/// `contact-sync run` binary as a child process pointed at both.
final class Stage: @unchecked Sendable {
    static let token = "chaos-token"
    let cluster: MockCluster
    let sandbox: Sandbox
    let logger: Logger
    let topic = "customers"
    let group: String
    let partitions: Int
    var dlq: String { "\(group).dlq" }
    /// The deliberate break every worker of this stage runs with (`CONTACT_SYNC_TEST_BREAK`).
    let breaking: String?

    init(name: String, partitions: Int = 3, chaos: SandboxChaos = SandboxChaos(latencyMs: 5), breaking: String? = nil)
        async throws
    {
        self.breaking = breaking
        var logger = Logger(label: "chaos")
        logger.logLevel = .critical
        self.logger = logger
        self.partitions = partitions
        group = "chaos-\(name)"
        cluster = try MockCluster(brokers: 3, logger: logger)
        var options = SandboxOptions(token: Self.token)
        options.chaos = chaos
        sandbox = try await Sandbox.start(options, logger: logger)
        try cluster.createTopic(topic, partitions: partitions)
        try cluster.createTopic(dlq, partitions: 1)
        try cluster.createTopic("\(group).versions", partitions: partitions)
    }

    /// Leaves `broker` leading only the dead-letter topic: taking it down then cuts off dead
    /// letters alone.
    func isolateDeadLetterTopic(on broker: Int32) throws {
        try cluster.setPartitionLeader(dlq, partition: 0, broker: broker)
        for partition in 0..<Int32(partitions) {
            try cluster.setPartitionLeader(topic, partition: partition, broker: 1 + partition % 2)
            try cluster.setPartitionLeader("\(group).versions", partition: partition, broker: 1 + partition % 2)
        }
        try cluster.setCoordinator(group: group, broker: 1)
    }

    /// Sends the records in order, as one batch: the idempotent producer keeps each
    /// partition's order, so one key's events arrive as they were sent.
    /// Returns where each record landed, in the same order.
    @discardableResult
    func produce(_ records: [Traffic.Record]) async throws -> [DeliveryReport] {
        // message.max.bytes: BadInputs sends records past the worker's 1 MB producer limit.
        let producer = try KafkaProducer(
            properties: [
                "bootstrap.servers": cluster.bootstrapServers, "linger.ms": "2", "message.max.bytes": "8000000",
            ], logger: logger)
        defer { producer.close() }
        return try await producer.send(
            records.map { OutgoingRecord(topic: topic, key: Array($0.key.utf8), value: $0.value) })
    }

    /// The group's committed offset per source partition (absent: nothing committed yet).
    func committedOffsets() async throws -> [Int32: Int64] {
        let reader = try KafkaConsumer(
            properties: ["bootstrap.servers": cluster.bootstrapServers, "group.id": group], logger: logger)
        let offsets = try await reader.committed((0..<Int32(partitions)).map { TopicPartition(topic, $0) })
        await reader.close()
        return Dictionary(offsets.filter { $0.offset >= 0 }.map { ($0.partition, $0.offset) }) { a, _ in a }
    }

    /// The worker binary sits next to this one (`swift build` puts products side by side).
    static var workerBinary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("contact-sync")
    }

    /// Starts `contact-sync run --until-caught-up` against this stage.
    func startWorker(extra: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = Self.workerBinary
        process.arguments = ["run", "--until-caught-up"]
        process.environment = [
            "CONTACT_SYNC_KAFKA_BOOTSTRAP_SERVERS": cluster.bootstrapServers, "CONTACT_SYNC_KAFKA_GROUP_ID": group,
            "CONTACT_SYNC_TOPICS": topic, "CONTACT_SYNC_DLQ_TOPIC": dlq, "CONTACT_SYNC_PLATFORM_URL": sandbox.baseURL,
            "CONTACT_SYNC_PLATFORM_TOKEN": Self.token, "CONTACT_SYNC_HTTP_PORT": "0", "CONTACT_SYNC_MAX_IN_FLIGHT": "8",
            "CONTACT_SYNC_COMMIT_INTERVAL_MS": "100", "CONTACT_SYNC_LOG_LEVEL": "critical",
            // A killed member's partitions wait for its session to expire: keep that short.
            "CONTACT_SYNC_KAFKA_SESSION_TIMEOUT_MS": "6000", "CONTACT_SYNC_KAFKA_HEARTBEAT_INTERVAL_MS": "500",
            // The sandbox throttles nothing unless a scenario says so: no client-side budget either.
            "CONTACT_SYNC_PLATFORM_BUDGET_CONTACTS": "0", "CONTACT_SYNC_PLATFORM_BUDGET_V2": "0",
            // contact-sync owns the traffic's groups, so a contact holds exactly its newest event's.
            "CONTACT_SYNC_PLATFORM_MANAGED_GROUPS": "Customers,Cohort 0,Cohort 1,Cohort 2",
        ].merging(extra) { $1 }
        if let breaking { process.environment?["CONTACT_SYNC_TEST_BREAK"] = breaking }
        // CHAOS_WORKER_LOG=path keeps the workers' logs (info level) for a failing scenario.
        if let path = ProcessInfo.processInfo.environment["CHAOS_WORKER_LOG"] {
            if !FileManager.default.fileExists(atPath: path) {
                _ = FileManager.default.createFile(atPath: path, contents: nil)
            }
            let log = FileHandle(forWritingAtPath: path)
            log?.seekToEndOfFile()
            process.environment?["CONTACT_SYNC_LOG_LEVEL"] = "info"
            process.standardOutput = log
            process.standardError = log
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        return process
    }

    /// Waits for a worker to exit on its own (caught up), killing it after `deadline`.
    /// Returns whether it caught up.
    func waitForExit(_ process: Process, deadline: Duration = .seconds(180)) async throws -> Bool {
        let end = ContinuousClock.now + deadline
        while process.isRunning, ContinuousClock.now < end { try await Task.sleep(for: .milliseconds(100)) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return false
        }
        return process.terminationReason == .exit && process.terminationStatus == 0
    }

    /// Every record in the dead-letter topic, with its reason header.
    func deadLetters() async throws -> [KafkaRecord] {
        let reader = try KafkaConsumer(
            properties: ["bootstrap.servers": cluster.bootstrapServers, "group.id": "chaos-reader-\(UUID())"],
            logger: logger)
        let records = try await TopicReader(consumer: reader, topic: dlq).readAll()
        await reader.close()
        return records
    }

    func shutdown() async {
        await sandbox.shutdown()
    }
}
