import Foundation
import Kafka
import Logging

/// A mock cluster per test, with helpers to make clients for it.
struct KafkaFixture {
    let cluster: MockCluster
    let logger: Logger

    init(brokers: Int = 1) throws {
        var logger = Logger(label: "kafka-test")
        logger.logLevel = .critical
        self.logger = logger
        cluster = try MockCluster(brokers: brokers, logger: logger)
    }

    var bootstrap: String { cluster.bootstrapServers }

    func producer(_ extra: KafkaProperties = [:]) throws -> KafkaProducer {
        try KafkaProducer(
            properties: ["bootstrap.servers": bootstrap, "linger.ms": "5"].merging(extra) { $1 }, logger: logger)
    }

    func consumer(group: String, _ extra: KafkaProperties = [:], handler: (any RebalanceHandler)? = nil) throws
        -> KafkaConsumer
    {
        let properties: KafkaProperties = [
            "bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest",
            "enable.auto.commit": "false", "session.timeout.ms": "6000", "heartbeat.interval.ms": "500",
        ]
        return try KafkaConsumer(
            properties: properties.merging(extra) { $1 }, rebalanceHandler: handler, logger: logger)
    }

    /// Sends `count` keyed records `k0…` with values `v0…` and waits for every delivery.
    func produce(topic: String, count: Int, from start: Int = 0, partition: Int32? = nil) async throws {
        let producer = try producer()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in start..<(start + count) {
                group.addTask {
                    try await producer.send(
                        topic: topic, partition: partition, key: Array("k\(i)".utf8), value: Array("v\(i)".utf8))
                }
            }
            try await group.waitForAll()
        }
        await producer.close()
    }
}

/// Polls until `done` says so or `deadline` passes; returns everything polled.
func pollUntil(
    _ consumer: KafkaConsumer, deadline: Duration = .seconds(30),
    _ done: ([KafkaRecord]) -> Bool
) async throws -> [KafkaRecord] {
    var records: [KafkaRecord] = []
    let end = ContinuousClock.now + deadline
    while !done(records), ContinuousClock.now < end {
        records += try await consumer.poll(maxRecords: 1000, timeout: .milliseconds(200))
    }
    return records
}

func text(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

/// Collects what a rebalance handler was told, in order.
actor RebalanceLog: RebalanceHandler {
    var events: [String] = []
    var owned: Set<TopicPartition> = []
    let onRevoke: (@Sendable ([TopicPartition]) async -> Void)?

    init(onRevoke: (@Sendable ([TopicPartition]) async -> Void)? = nil) {
        self.onRevoke = onRevoke
    }

    func partitionsAssigned(_ partitions: [TopicPartition]) async {
        events.append("assigned \(partitions.count)")
        owned.formUnion(partitions)
    }

    func partitionsRevoked(_ partitions: [TopicPartition]) async {
        await onRevoke?(partitions)
        events.append("revoked \(partitions.count)")
        owned.subtract(partitions)
    }
}
