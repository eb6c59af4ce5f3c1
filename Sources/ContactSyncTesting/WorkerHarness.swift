import Foundation
public import Kafka
public import Logging
public import PlatformSandbox
import Synchronization

/// The world every worker test, chaos scenario and bench row runs in: librdkafka's mock
/// cluster over loopback TCP holding the source and dead-letter topics, and the platform
/// sandbox over HTTP. Workers join it in this process (`configuration`, `start`,
/// `runUntilCaughtUp`) or as the real binary (`WorkerProcess`).
public final class WorkerHarness: Sendable {
    /// The API token the sandbox accepts; every worker of the harness sends it.
    public static let token = "worker-test-token"
    public let cluster: MockCluster
    public let sandbox: Sandbox
    public let logger: Logger
    public let topic = "customers"
    public let dlq = "customers.dlq"
    public let partitions: Int
    private let groups = Mutex<Set<String>>([])

    /// - Parameters:
    ///   - brokers: more than one lets a test take a broker down while others lead the rest.
    ///   - logger: quiet (critical only) unless given: the tests judge state, not logs.
    public init(
        brokers: Int = 1, partitions: Int = 3, chaos: SandboxChaos = .none, flavor: SandboxFlavor = .textit,
        throttle: SandboxThrottle = .unlimited, flow: SandboxFlow = .none, workspaces: [SandboxWorkspace] = [],
        logger: Logger? = nil
    ) async throws {
        let logger = logger ?? Self.quietLogger()
        self.logger = logger
        self.partitions = partitions
        cluster = try MockCluster(brokers: brokers, logger: logger)
        try cluster.createTopic(topic, partitions: partitions)
        try cluster.createTopic(dlq, partitions: 1)
        var options = SandboxOptions(token: Self.token, flavor: flavor, throttle: throttle, flow: flow)
        options.chaos = chaos
        options.workspaces = workspaces
        sandbox = try await Sandbox.start(options, logger: logger)
    }

    static func quietLogger() -> Logger {
        var logger = Logger(label: "contact-sync-testing")
        logger.logLevel = .critical
        return logger
    }

    /// Creates the group's versions topic (`<group>.versions`, partitioned as the source) the
    /// first time the group is named: the worker refuses to start without it.
    public func prepare(group: String) throws {
        guard groups.withLock({ $0.insert(group).inserted }) else { return }
        try cluster.createTopic("\(group).versions", partitions: partitions)
    }

    /// Sends the records to the source topic as one batch and returns where each landed, in
    /// order. The idempotent producer keeps each partition's order, so one key's events arrive
    /// as they were given; records up to 8 MB pass (the worker's own producer stops at 1 MB,
    /// and tests send larger inputs on purpose). Every record carries `headers`.
    @discardableResult
    public func produce(records: [(key: String, value: [UInt8]?)], headers: [KafkaHeader] = []) async throws
        -> [DeliveryReport]
    {
        let producer = try KafkaProducer(
            properties: [
                "bootstrap.servers": cluster.bootstrapServers, "linger.ms": "2", "message.max.bytes": "8000000",
            ], logger: logger)
        let reports = try await producer.send(
            records.map { OutgoingRecord(topic: topic, key: Array($0.key.utf8), value: $0.value, headers: headers) })
        await producer.close()
        return reports
    }

    /// `produce(records:)` for JSON text; a nil `json` is a tombstone.
    @discardableResult
    public func produce(_ events: [(key: String, json: String?)], headers: [KafkaHeader] = []) async throws
        -> [DeliveryReport]
    {
        try await produce(records: events.map { ($0.key, $0.json.map { Array($0.utf8) }) }, headers: headers)
    }

    /// The group's committed offset on each partition of `topic` (the source unless told; `nil`:
    /// none), by partition.
    public func committed(group: String, topic: String? = nil) async throws -> [Int64?] {
        try await lag(group: group, topic: topic ?? self.topic).map(\.committed)
    }

    /// The group's committed offset per source partition (absent: nothing committed yet).
    public func committedOffsets(group: String) async throws -> [Int32: Int64] {
        let lag = try await lag(group: group, topic: topic)
        return Dictionary(uniqueKeysWithValues: lag.compactMap { p in p.committed.map { (p.partition.partition, $0) } })
    }

    /// The high watermark of each partition of `topic`: how many records were ever written to it.
    public func written(_ topic: String) async throws -> [Int64] {
        try await lag(group: "probe-\(UUID())", topic: topic).map(\.high)
    }

    private func lag(group: String, topic: String) async throws -> [PartitionLag] {
        let admin = try KafkaAdmin(
            properties: ["bootstrap.servers": cluster.bootstrapServers], groupID: group, logger: logger)
        let lag = try await admin.lag(topics: [topic])
        await admin.close()
        return lag
    }

    /// Every record of `topic`, from its beginning to its current end, with its headers.
    public func records(of topic: String) async throws -> [KafkaRecord] {
        let reader = try KafkaConsumer(
            properties: ["bootstrap.servers": cluster.bootstrapServers, "group.id": "reader-\(UUID())"],
            logger: logger)
        let records = try await TopicReader(consumer: reader, topic: topic).readAll()
        await reader.close()
        return records
    }

    /// Every record in the dead-letter topic, with its headers.
    public func deadLetters() async throws -> [KafkaRecord] {
        try await records(of: dlq)
    }

    public func shutdown() async {
        await sandbox.shutdown()
    }
}
