import CRdKafka
import Foundation
public import Logging
import Synchronization

/// A consumer in a group (`subscribe`) or reading chosen partitions (`assign`).
///
/// Nothing is marked done behind the caller's back: `enable.auto.offset.store` is forced off,
/// so only offsets given to `storeOffsets` are ever committed (by `commit`, or by librdkafka's
/// auto-commit when the caller leaves it on).
public final class KafkaConsumer: Sendable {
    let handle: KafkaHandle
    let logger: Logger
    /// librdkafka's consumer calls (poll, close) and the rebalance callback run here, on one
    /// thread outside Swift's cooperative pool: the callback may block it while async work ends.
    private let queue = DispatchQueue(label: "kafka-consumer-poll")
    private let closed = Atomic(false)
    /// Topic names by `rd_kafka_topic_t` address: one C string read per topic, not per record.
    private let topicNames = Mutex<[UInt: String]>([:])
    /// librdkafka before 2.2.1 asserts (aborting the process) when a `cooperative-sticky`
    /// member that joined the group but never received an assignment is destroyed: the sticky
    /// assignor's state is destroyed unchecked while still NULL (librdkafka issue 4312, fixed
    /// in 2.2.1). Such a handle is closed (it leaves the group) but not destroyed: a few
    /// threads and buffers left until the process ends, instead of the process itself.
    private let destroyNeedsAssignment: Bool

    /// - Parameter rebalanceHandler: told about partitions assigned and revoked, inside `poll`.
    /// - Throws: `KafkaError` when a property is unknown or invalid (the message names it).
    public init(properties: KafkaProperties, rebalanceHandler: (any RebalanceHandler)? = nil, logger: Logger)
        throws(KafkaError)
    {
        var properties = properties
        properties["enable.auto.offset.store"] = "false"
        // The join state is followed through librdkafka's `cgrp` debug lines (`isRebalancing`);
        // turned on here only for that, those lines are not logged.
        let debug = properties["debug"] ?? ""
        let dropsDebugLines = debug.isEmpty
        if !debug.contains("cgrp") && !debug.contains("all") {
            properties["debug"] = debug.isEmpty ? "cgrp" : debug + ",cgrp"
        }
        self.logger = logger
        destroyNeedsAssignment =
            (properties["partition.assignment.strategy"] ?? "").contains("cooperative-sticky")
            && rd_kafka_version() < 0x0202_01ff
        handle = try KafkaHandle(
            type: RD_KAFKA_CONSUMER, properties: properties, logger: logger, rebalanceHandler: rebalanceHandler,
            dropsDebugLines: dropsDebugLines
        ) { conf in
            rd_kafka_conf_set_rebalance_cb(conf) { rk, err, partitions, _ in
                KafkaConsumer.rebalance(rk: rk!, err: err, partitions: partitions)
            }
        }
        rd_kafka_poll_set_consumer(handle.rk)
    }

    /// Joins the group and follows `topics`.
    /// - Throws: `KafkaError` when librdkafka refuses the subscription (e.g. an invalid name).
    public func subscribe(topics: [String]) throws(KafkaError) {
        let list = PartitionList.make(topics.map { TopicPartition($0, RD_KAFKA_PARTITION_UA) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_subscribe(handle.rk, list)
        if err.isError { throw KafkaError(err, context: "subscribe to \(topics.joined(separator: ", "))") }
    }

    /// Reads exactly these partitions from these offsets (`TopicPartitionOffset.beginning`,
    /// `.end` or a real offset), without a group rebalance.
    /// - Throws: `KafkaError` when librdkafka refuses the assignment.
    public func assign(_ partitions: [TopicPartitionOffset]) throws(KafkaError) {
        let list = PartitionList.make(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_assign(handle.rk, list)
        if err.isError { throw KafkaError(err, context: "assign \(partitions)") }
    }

    /// Up to `maxRecords` records, waiting at most `timeout` for the first one. Rebalance
    /// callbacks run inside this call. Errors the client recovers from by itself (a broker
    /// going away) are logged, not thrown.
    /// - Throws: `KafkaError` when the consumer was closed.
    public func poll(maxRecords: Int = 500, timeout: Duration = .milliseconds(100)) async throws -> [KafkaRecord] {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(
                    with: Result { try self.pollNow(maxRecords: maxRecords, timeoutMs: Int32(timeout.milliseconds)) })
            }
        }
    }

    private func pollNow(maxRecords: Int, timeoutMs: Int32) throws(KafkaError) -> [KafkaRecord] {
        guard !closed.load(ordering: .acquiring) else {
            throw KafkaError(RD_KAFKA_RESP_ERR__DESTROY, context: "poll a closed consumer")
        }
        var records: [KafkaRecord] = []
        var wait = timeoutMs
        _ = handle.context.takeRevoked()
        while records.count < maxRecords, let message = rd_kafka_consumer_poll(handle.rk, wait) {
            defer { rd_kafka_message_destroy(message) }
            wait = 0
            dropRevoked(from: &records)
            let err = message.pointee.err
            if err == RD_KAFKA_RESP_ERR__PARTITION_EOF { continue }
            if err.isError {
                let detail = message.pointee.payload.map {
                    String(decoding: UnsafeRawBufferPointer(start: $0, count: message.pointee.len), as: UTF8.self)
                }
                logger.warning(
                    "kafka consume error",
                    metadata: ["error": "\(KafkaError(err, context: "consume", message: detail))"])
                continue
            }
            records.append(KafkaRecord(message: message, topic: topicName(message.pointee.rkt)))
        }
        dropRevoked(from: &records)
        return records
    }

    /// Records gathered in this poll before a rebalance took their partition away are no longer
    /// this member's: the revoke handler already gave the partition up (committed, forgotten),
    /// so handing them on would apply them for an owner that no longer exists, while the new
    /// owner reads them too. A partition revoked and assigned again in one poll starts over from
    /// its committed offset, so its earlier records go as well.
    private func dropRevoked(from records: inout [KafkaRecord]) {
        let revoked = handle.context.takeRevoked()
        guard !revoked.isEmpty, !records.isEmpty else { return }
        let gone = Set(revoked)
        let before = records.count
        records.removeAll { gone.contains($0.topicPartition) }
        if records.count != before {
            logger.debug("records of revoked partitions dropped", metadata: ["count": "\(before - records.count)"])
        }
    }

    private func topicName(_ rkt: OpaquePointer?) -> String {
        guard let rkt else { return "" }
        let address = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(rkt)))
        return topicNames.withLock { names in
            if let name = names[address] { return name }
            let name = String(cString: rd_kafka_topic_name(rkt))
            names[address] = name
            return name
        }
    }

    /// Marks records done: each offset is the NEXT one to read (last done + 1).
    /// - Throws: `KafkaError` when a partition is not assigned to this consumer.
    public func storeOffsets(_ offsets: [TopicPartitionOffset]) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        let list = PartitionList.make(offsets)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_offsets_store(handle.rk, list)
        if err.isError { throw KafkaError(err, context: "store offsets \(offsets)") }
        if let error = PartitionList.firstError(list, context: "store offset of") { throw error }
    }

    /// Commits the stored offsets and waits for the broker's answer. Nothing new to commit is
    /// not an error.
    /// - Throws: `KafkaError` when the coordinator refused or did not answer (e.g. the member
    ///   lost its partitions in a rebalance).
    public func commit() async throws(KafkaError) {
        let handle = self.handle
        try await handle.blocking { () throws(KafkaError) in
            let err = rd_kafka_commit(handle.rk, nil, 0)
            if err.isError && err != RD_KAFKA_RESP_ERR__NO_OFFSET { throw KafkaError(err, context: "commit offsets") }
        }
    }

    /// Commits exactly these offsets (each the NEXT one to read) and waits for the answer.
    /// `metadata` rides with a partition's offset (Kafka's commit metadata, at most
    /// `offset.metadata.max.bytes`, 4,096 by default) and is what `committedWithMetadata` reads.
    /// - Throws: `KafkaError` when the coordinator refused one of them or did not answer.
    public func commit(_ offsets: [TopicPartitionOffset], metadata: [TopicPartition: String] = [:])
        async throws(KafkaError)
    {
        guard !offsets.isEmpty else { return }
        let handle = self.handle
        try await handle.blocking { () throws(KafkaError) in
            let list = PartitionList.make(offsets, metadata: metadata)
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let err = rd_kafka_commit(handle.rk, list, 0)
            if err.isError && err != RD_KAFKA_RESP_ERR__NO_OFFSET {
                throw KafkaError(err, context: "commit \(offsets)")
            }
            if let error = PartitionList.firstError(list, context: "commit offset of") { throw error }
        }
    }

    /// Whether the member is (re)joining its group: a commit sent now carries a generation the
    /// rebalance may bump before the coordinator reads it, and librdkafka before 2.10 then counts
    /// the whole assignment as lost under `cooperative-sticky` (librdkafka issue 4059). Commits
    /// outside the rebalance callbacks wait for the steady state, as librdkafka's own
    /// auto-committer does.
    public var isRebalancing: Bool {
        handle.context.groupJoinState != "steady"
    }

    /// Stops fetching these partitions (backpressure); what was fetched already still arrives.
    /// A pause lasts while the partition stays assigned: after a rebalance it fetches again.
    /// - Throws: `KafkaError` when librdkafka refuses (e.g. a partition not assigned).
    public func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        try pauseOrResume(partitions, pause: true)
    }

    /// Fetches paused partitions again.
    /// - Throws: `KafkaError` when librdkafka refuses (e.g. a partition not assigned).
    public func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        try pauseOrResume(partitions, pause: false)
    }

    private func pauseOrResume(_ partitions: [TopicPartition], pause: Bool) throws(KafkaError) {
        guard !partitions.isEmpty else { return }
        let list = PartitionList.make(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = pause ? rd_kafka_pause_partitions(handle.rk, list) : rd_kafka_resume_partitions(handle.rk, list)
        if err.isError { throw KafkaError(err, context: pause ? "pause \(partitions)" : "resume \(partitions)") }
    }

    /// The partitions this member holds now.
    /// - Throws: `KafkaError` when the consumer was closed.
    public func assignment() throws(KafkaError) -> [TopicPartition] {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        let err = rd_kafka_assignment(handle.rk, &list)
        defer { if let list { rd_kafka_topic_partition_list_destroy(list) } }
        if err.isError { throw KafkaError(err, context: "read the assignment") }
        return PartitionList.read(list).map(\.topicPartition)
    }

    /// The group's committed offsets for `partitions` (`TopicPartitionOffset.invalid` when none).
    /// - Throws: `KafkaError` when the coordinator did not answer within `timeout`.
    public func committed(_ partitions: [TopicPartition], timeout: Duration = .seconds(5)) async throws(KafkaError)
        -> [TopicPartitionOffset]
    {
        try await committedWithMetadata(partitions, timeout: timeout).map {
            TopicPartitionOffset($0.partition.topic, $0.partition.partition, $0.offset)
        }
    }

    /// The group's committed offsets for `partitions` with the metadata committed beside them.
    /// - Throws: `KafkaError` when the coordinator did not answer within `timeout`.
    public func committedWithMetadata(_ partitions: [TopicPartition], timeout: Duration = .seconds(5))
        async throws(KafkaError) -> [CommittedOffset]
    {
        let handle = self.handle
        return try await handle.blocking { () throws(KafkaError) in
            let list = PartitionList.make(partitions)
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let err = rd_kafka_committed(handle.rk, list, Int32(timeout.milliseconds))
            if err.isError { throw KafkaError(err, context: "read committed offsets") }
            return PartitionList.readCommitted(list)
        }
    }

    /// Records known to wait in the assigned partitions past what `poll` has handed out: each
    /// partition's high watermark from its last fetch response minus its position. Local (no
    /// request); a partition not fetched yet, or not handed anything yet, counts 0.
    public func unreadBacklog() -> Int64 {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        guard !rd_kafka_assignment(handle.rk, &list).isError, let list else { return 0 }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        guard !rd_kafka_position(handle.rk, list).isError else { return 0 }
        var total: Int64 = 0
        for index in 0..<Int(list.pointee.cnt) {
            let element = list.pointee.elems[index]
            var low: Int64 = 0
            var high: Int64 = 0
            guard element.offset >= 0,
                !rd_kafka_get_watermark_offsets(handle.rk, element.topic, element.partition, &low, &high).isError,
                high >= 0
            else { continue }
            total += max(0, high - element.offset)
        }
        return total
    }

    /// Low and high watermark of a partition (the high one is the offset the next record gets).
    /// - Throws: `KafkaError` when the partition's leader did not answer within `timeout`.
    public func watermarks(_ partition: TopicPartition, timeout: Duration = .seconds(5)) async throws(KafkaError)
        -> (low: Int64, high: Int64)
    {
        let handle = self.handle
        return try await handle.blocking { () throws(KafkaError) in
            try handle.watermarks(partition, timeoutMs: Int32(timeout.milliseconds))
        }
    }

    /// The partition ids of `topic`.
    /// - Throws: `KafkaError` when the metadata could not be read or the topic does not exist.
    public func partitions(of topic: String, timeout: Duration = .seconds(5)) async throws(KafkaError) -> [Int32] {
        let handle = self.handle
        return try await handle.blocking { () throws(KafkaError) in
            try handle.partitions(of: topic, timeoutMs: Int32(timeout.milliseconds))
        }
    }

    /// Offsets of the first records at or after each time (milliseconds since the epoch).
    /// - Throws: `KafkaError` when the leaders did not answer within `timeout`.
    public func offsetsForTimes(_ times: [TopicPartitionOffset], timeout: Duration = .seconds(5))
        async throws(KafkaError) -> [TopicPartitionOffset]
    {
        let handle = self.handle
        return try await handle.blocking { () throws(KafkaError) in
            let list = PartitionList.make(times)
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let err = rd_kafka_offsets_for_times(handle.rk, list, Int32(timeout.milliseconds))
            if err.isError { throw KafkaError(err, context: "look up offsets for times") }
            return PartitionList.read(list)
        }
    }

    /// Leaves the group (running the revoke handler for what it holds) and releases the client.
    public func close() async {
        guard !closed.load(ordering: .acquiring) else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                self.closed.store(true, ordering: .releasing)
                let err = rd_kafka_consumer_close(self.handle.rk)
                if err.isError {
                    self.logger.warning(
                        "kafka consumer close", metadata: ["error": "\(KafkaError(err, context: "leave the group"))"])
                }
                if self.isSafeToDestroy { self.handle.destroy() } else { self.handle.leak() }
                continuation.resume()
            }
        }
    }

    deinit {
        // Not closed: destroying leaves the group, which waits for the coordinator; the last
        // reference may go on the cooperative pool, so that wait happens elsewhere.
        guard !closed.load(ordering: .acquiring) else { return }
        guard isSafeToDestroy else { return handle.leak() }
        let handle = self.handle
        DispatchQueue.global().async { handle.destroy() }
    }

    private var isSafeToDestroy: Bool {
        // A member that never had a JoinGroup answered holds no assignor: destroyed as usual, so
        // no handle is left running (a leaked one's threads outlive the process's teardown).
        !destroyNeedsAssignment || handle.context.wasAssigned.load(ordering: .acquiring)
            || !handle.context.hasJoined.load(ordering: .acquiring)
    }
}
