import ContactSyncTesting
import Foundation
import Kafka
import SyncCore

/// The versions topic of a long-lived group: what it applied to entities long ago, written as
/// the worker writes it (key: the entity's `ext:` URN; value: `AppliedVersion.encoded()`), to
/// entities no traffic of the scenario names. It makes a cold restore long enough to be killed
/// in the middle of its batches; the judge never looks at these entities.
enum VersionHistory {
    /// Writes `perPartition` versions to each partition of `group`'s versions topic; returns
    /// how many records the topic holds. Kept under the mock cluster's ~5 MB per partition.
    static func write(_ stage: Stage, perPartition: Int) async throws -> Int {
        let topic = "\(stage.workers.group).versions"
        let producer = try KafkaProducer(
            properties: [
                "bootstrap.servers": stage.cluster.bootstrapServers, "linger.ms": "20", "batch.size": "1000000",
            ], logger: stage.harness.logger)
        for partition in 0..<Int32(stage.harness.partitions) {
            var batch: [OutgoingRecord] = []
            for n in 0..<perPartition {
                let key = "old-\(partition)-\(n)"
                let applied = AppliedVersion(
                    version: .sequence(Int64(1 + n % 4)), eventID: "\(key)-v\(1 + n % 4)", deleted: n % 9 == 0,
                    contactUUID: n % 9 == 0 ? nil : "00000000-0000-4000-8000-\(String(format: "%012d", n))")
                batch.append(
                    OutgoingRecord(
                        topic: topic, partition: partition, key: Array("ext:\(key)".utf8), value: applied.encoded()))
            }
            _ = try await producer.send(batch)
        }
        await producer.close()
        return Int(try await stage.harness.written(topic).reduce(0, +))
    }
}
