import ContactSyncTesting
import Foundation
import Kafka
import Synchronization
import Testing

@testable import SyncWorker

/// What the rebalance, outage and backpressure tests read from outside the worker: where each
/// record went, what the group committed, what a topic holds.
extension WorkerHarness {
    /// Produces each event to the partition it names, so a test knows which records move with
    /// a partition and which offsets a commit may cover.
    func produce(_ events: [(partition: Int32, event: (key: String, json: String?))], to topic: String? = nil)
        async throws
    {
        let producer = try KafkaProducer(properties: ["bootstrap.servers": cluster.bootstrapServers], logger: logger)
        for (partition, event) in events {
            try await producer.send(
                topic: topic ?? self.topic, partition: partition, key: Array(event.key.utf8),
                value: event.json.map { Array($0.utf8) })
        }
        await producer.close()
    }

    /// The group's committed offset on each partition of `topic` (`nil`: none), by partition.
    func committed(group: String, topic: String? = nil) async throws -> [Int64?] {
        let admin = try KafkaAdmin(
            properties: ["bootstrap.servers": cluster.bootstrapServers], groupID: group, logger: logger)
        let lag = try await admin.lag(topics: [topic ?? self.topic])
        await admin.close()
        return lag.map(\.committed)
    }

    /// The high watermark of each partition of `topic`: how many records were ever written to it.
    func written(_ topic: String) async throws -> [Int64] {
        let admin = try KafkaAdmin(
            properties: ["bootstrap.servers": cluster.bootstrapServers], groupID: "probe-\(UUID())", logger: logger)
        let lag = try await admin.lag(topics: [topic])
        await admin.close()
        return lag.map(\.high)
    }

    /// Every record of `topic`, from its beginning to its current end.
    func records(of topic: String) async throws -> [KafkaRecord] {
        let reader = try KafkaConsumer(
            properties: ["bootstrap.servers": cluster.bootstrapServers, "group.id": "reader-\(UUID())"],
            logger: logger)
        let records = try await TopicReader(consumer: reader, topic: topic).readAll()
        await reader.close()
        return records
    }
}

/// Waits until `condition` holds; past `deadline` records an issue naming `what` and returns
/// `false`, so a broken worker fails the test instead of hanging the suite.
@discardableResult
func eventually(
    _ what: String, within deadline: Duration = .seconds(60), _ condition: () async throws -> Bool
) async throws -> Bool {
    let end = ContinuousClock.now + deadline
    while try await !condition() {
        guard ContinuousClock.now < end else {
            Issue.record("not within \(deadline): \(what)")
            return false
        }
        try await Task.sleep(for: .milliseconds(20))
    }
    return true
}

extension Worker {
    /// The partitions the worker's consumer holds now.
    var assignment: Set<TopicPartition> {
        get throws { Set(try parts.withLock { $0?.consumer }?.assignment() ?? []) }
    }
}
