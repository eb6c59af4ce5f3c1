import CRdKafka

/// Whether a topic exists, asked so that asking cannot create it. A metadata request that
/// names a topic makes a broker with auto.create.topics.enable (librdkafka's mock cluster among
/// them, whatever the client's allow.auto.create.topics) create it on the spot, so `check` saw
/// every name as an existing topic. Listing all topics creates nothing.
extension KafkaAdmin {
    /// The partition ids of `topic`, or `[]` when the cluster has no such topic.
    /// - Throws: `KafkaError` when the metadata could not be read within `timeout`.
    public func existingPartitions(of topic: String, timeout: Duration = .seconds(5)) async throws -> [Int32] {
        let handle = consumer.handle
        return try await handle.blocking { () throws(KafkaError) in
            try handle.listedPartitions(of: topic, timeoutMs: Int32(timeout.milliseconds))
        }
    }
}

extension KafkaHandle {
    func listedPartitions(of topic: String, timeoutMs: Int32) throws(KafkaError) -> [Int32] {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(rk, 1, nil, &metadata, timeoutMs)
        guard !err.isError, let metadata else { throw KafkaError(err, context: "list the cluster's topics") }
        defer { rd_kafka_metadata_destroy(metadata) }
        for index in 0..<Int(metadata.pointee.topic_cnt) {
            let entry = metadata.pointee.topics[index]
            guard String(cString: entry.topic) == topic else { continue }
            if entry.err.isError { throw KafkaError(entry.err, context: "read metadata of topic \(topic)") }
            return (0..<Int(entry.partition_cnt)).map { entry.partitions[$0].id }.sorted()
        }
        return []
    }
}
