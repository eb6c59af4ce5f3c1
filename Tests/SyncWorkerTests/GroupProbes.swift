import ContactSyncTesting
import Kafka
import Synchronization

@testable import SyncWorker

/// Records placed on chosen partitions, for the rebalance, outage and backpressure tests (what
/// the group committed and what a topic holds they read through the kit's `committed(group:)`,
/// `written` and `records(of:)`).
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
}

extension Worker {
    /// The partitions the worker's consumer holds now.
    var assignment: Set<TopicPartition> {
        get throws { Set(try parts.withLock { $0?.consumer }?.assignment() ?? []) }
    }
}
