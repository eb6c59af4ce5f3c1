import Kafka
import Logging
import SyncCore

/// Reads a partition of the compacted versions topic to its end, when the partitions it
/// guards are assigned: the version guard then moves with partitions between instances.
struct VersionLoader: Sendable {
    let properties: KafkaProperties
    let topic: String
    let logger: Logger

    func load(partition: Int32, deadline: Duration = .seconds(30)) async throws -> [String: AppliedVersion] {
        var props = properties
        props["group.id"] = "contact-sync-version-loader"
        props["enable.auto.commit"] = "false"
        let reader = try KafkaConsumer(properties: props, logger: logger)
        let tp = TopicPartition(topic, partition)
        let marks = try await reader.watermarks(tp)
        guard marks.high > marks.low else {
            await reader.close()
            return [:]
        }
        try reader.assign([TopicPartitionOffset(topic, partition, TopicPartitionOffset.beginning)])
        var versions: [String: AppliedVersion] = [:]
        var last: Int64 = -1
        let end = ContinuousClock.now + deadline
        while last < marks.high - 1 {
            guard ContinuousClock.now < end else {
                await reader.close()
                throw KafkaError.loadTimeout(topic: topic, partition: partition, reached: last, high: marks.high)
            }
            for record in try await reader.poll(maxRecords: 5000, timeout: .milliseconds(200)) {
                last = max(last, record.offset)
                guard let key = record.key.map({ String(decoding: $0, as: UTF8.self) }) else { continue }
                if let value = record.value, let version = AppliedVersion(decoding: value) {
                    versions[key] = version
                } else if record.value == nil {
                    versions[key] = nil
                }
            }
        }
        await reader.close()
        return versions
    }
}

extension KafkaError {
    static func loadTimeout(topic: String, partition: Int32, reached: Int64, high: Int64) -> any Error {
        VersionLoadError(
            description:
                "could not read \(topic)[\(partition)] to its end (reached offset \(reached) of \(high)); check that the brokers are reachable"
        )
    }
}

struct VersionLoadError: Error, CustomStringConvertible {
    let description: String
}
