import CRdKafka
import Foundation
public import Logging
import Synchronization

/// Where the broker stored a record.
public struct DeliveryReport: Sendable, Hashable {
    public let topic: String
    public let partition: Int32
    public let offset: Int64
}

/// A producer whose `send` returns only once the broker confirmed the record, so a caller can
/// mark work done (commit a source offset) knowing the record is durable.
public final class KafkaProducer: Sendable {
    let handle: KafkaHandle
    private let running = AtomicFlag(true)
    /// Left by the delivery-report thread when it ends.
    private let pollerDone = DispatchGroup()

    /// - Parameter properties: librdkafka producer properties (`bootstrap.servers`, `acks`, …).
    ///   `enable.idempotence` and `acks=all` are on unless set: a dead letter must not be lost
    ///   or duplicated by a retry.
    /// - Throws: `KafkaError` when a property is unknown or invalid (the message names it).
    ///   Consumer-only properties (one `kafka.*` section configures both clients) are left out:
    ///   librdkafka would warn about each at every start.
    public init(properties: KafkaProperties, logger: Logger) throws(KafkaError) {
        var properties = properties.filter { !KafkaConfiguration.consumerOnlyNames.contains($0.key) }
        if properties["acks"] == nil && properties["request.required.acks"] == nil { properties["acks"] = "all" }
        if properties["enable.idempotence"] == nil { properties["enable.idempotence"] = "true" }
        handle = try KafkaHandle(type: RD_KAFKA_PRODUCER, properties: properties, logger: logger) { conf in
            rd_kafka_conf_set_dr_msg_cb(conf) { _, message, _ in
                guard let message, let opaque = message.pointee._private else { return }
                let delivery = Unmanaged<PendingBatch.Slot>.fromOpaque(opaque).takeRetainedValue()
                let m = message.pointee
                if m.err.isError {
                    delivery.finish(.failure(KafkaError(m.err, context: "deliver a record to \(delivery.topic)")))
                } else {
                    delivery.finish(
                        .success(DeliveryReport(topic: delivery.topic, partition: m.partition, offset: m.offset)))
                }
            }
        }
        let handle = self.handle
        let running = self.running
        // Delivery reports are served by rd_kafka_poll; a thread of its own keeps them flowing
        // without borrowing one of Swift's cooperative pool.
        let done = pollerDone
        done.enter()
        Thread.detachNewThread {
            Thread.current.name = "kafka-producer-poll"
            while running.isSet { rd_kafka_poll(handle.rk, 50) }
            done.leave()
        }
    }

    /// Sends one record and waits for the broker's acknowledgement.
    /// - Parameter partition: `nil` lets the partitioner choose by key.
    /// - Throws: `KafkaError` when the record could not be queued or delivered (e.g. the
    ///   brokers stayed unreachable for `message.timeout.ms`, or the topic does not exist).
    @discardableResult
    public func send(
        topic: String, partition: Int32? = nil, key: [UInt8]?, value: [UInt8]?,
        headers: [KafkaHeader] = []
    ) async throws -> DeliveryReport {
        try await send([OutgoingRecord(topic: topic, partition: partition, key: key, value: value, headers: headers)])[
            0]
    }

    /// Sends records in order and waits until the broker acknowledged every one: one wait
    /// for the lot, so bulk copies (replays, loads) cost little more than librdkafka itself.
    /// - Returns: the reports, in the order of `records`.
    /// - Throws: the first `KafkaError` (the other records may or may not have been delivered).
    @discardableResult
    public func send(_ records: [OutgoingRecord]) async throws -> [DeliveryReport] {
        guard !records.isEmpty else { return [] }
        let batch = PendingBatch(count: records.count)
        for (index, record) in records.enumerated() {
            let slot = PendingBatch.Slot(batch: batch, index: index, topic: record.topic)
            let opaque = Unmanaged.passRetained(slot).toOpaque()
            var queued = Enqueued.full
            while case .full = queued {
                queued = enqueue(
                    topic: record.topic, partition: record.partition ?? RD_KAFKA_PARTITION_UA, key: record.key,
                    value: record.value, headers: record.headers, opaque: opaque)
                // The local queue is full (brokers slow or down): wait for room, don't drop, and
                // don't hold a thread of the cooperative pool while waiting.
                if case .full = queued { try? await Task.sleep(for: .milliseconds(10)) }
            }
            if case .failed(let error) = queued {
                Unmanaged<PendingBatch.Slot>.fromOpaque(opaque).release()
                batch.fail(remainingFrom: index, error)
                break
            }
        }
        return try await batch.reports()
    }

    private enum Enqueued {
        case queued
        case full
        case failed(KafkaError)
    }

    private func enqueue(
        topic: String, partition: Int32, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader],
        opaque: UnsafeMutableRawPointer
    ) -> Enqueued {
        do {
            // No header list at all for the common case of none: one allocation less per record.
            let hdrs: OpaquePointer? = headers.isEmpty ? nil : rd_kafka_headers_new(headers.count)
            for header in headers {
                if let value = header.value {
                    _ = value.withUnsafeBytes { rd_kafka_header_add(hdrs, header.name, -1, $0.baseAddress, $0.count) }
                } else {
                    _ = rd_kafka_header_add(hdrs, header.name, -1, nil, 0)
                }
            }
            let error: OpaquePointer? = topic.withCString { topicName in
                withOptionalBytes(key) { keyPtr, keyLen in
                    withOptionalBytes(value) { valuePtr, valueLen in
                        withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 7) { vus in
                            vus.initialize(repeating: rd_kafka_vu_t())
                            vus[0].vtype = RD_KAFKA_VTYPE_TOPIC
                            vus[0].u.cstr = topicName
                            vus[1].vtype = RD_KAFKA_VTYPE_PARTITION
                            vus[1].u.i32 = partition
                            vus[2].vtype = RD_KAFKA_VTYPE_KEY
                            vus[2].u.mem = .init(ptr: keyPtr, size: keyLen)
                            vus[3].vtype = RD_KAFKA_VTYPE_VALUE
                            vus[3].u.mem = .init(ptr: valuePtr, size: valueLen)
                            vus[4].vtype = RD_KAFKA_VTYPE_MSGFLAGS
                            vus[4].u.i = RD_KAFKA_MSG_F_COPY
                            vus[5].vtype = RD_KAFKA_VTYPE_OPAQUE
                            vus[5].u.ptr = opaque
                            var count = 6
                            if let hdrs {
                                vus[6].vtype = RD_KAFKA_VTYPE_HEADERS
                                vus[6].u.headers = hdrs
                                count = 7
                            }
                            return rd_kafka_produceva(handle.rk, vus.baseAddress, count)
                        }
                    }
                }
            }
            guard let error else { return .queued }  // librdkafka owns the headers now
            if let hdrs { rd_kafka_headers_destroy(hdrs) }
            if rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR__QUEUE_FULL {
                rd_kafka_error_destroy(error)
                return .full
            }
            return .failed(KafkaError(taking: error, context: "queue a record for \(topic)"))
        }
    }

    /// Waits until every queued record was delivered or failed.
    /// - Throws: `KafkaError` (timed out) when records are still queued after `timeout`.
    public func flush(timeout: Duration = .seconds(10)) async throws(KafkaError) {
        let handle = self.handle
        try await handle.blocking { () throws(KafkaError) in
            let err = rd_kafka_flush(handle.rk, Int32(timeout.milliseconds))
            if err.isError { throw KafkaError(err, context: "flush the producer") }
        }
    }

    /// The partitions of `topic` (the broker creates it when auto-creation is on).
    /// - Throws: `KafkaError` when the metadata could not be read within `timeout`.
    public func partitions(of topic: String, timeout: Duration = .seconds(5)) async throws(KafkaError) -> [Int32] {
        let handle = self.handle
        return try await handle.blocking { () throws(KafkaError) in
            try handle.partitions(of: topic, timeoutMs: Int32(timeout.milliseconds))
        }
    }

    /// The partitions of `topic`, `[]` when the cluster has none such, asked without naming it
    /// (see `KafkaAdmin.existingPartitions`): a missing topic is reported, never auto-created
    /// with the broker's defaults (a versions topic created so would not be compacted).
    /// - Throws: `KafkaError` when the metadata could not be read within `timeout`.
    public func existingPartitions(of topic: String, timeout: Duration = .seconds(5)) async throws(KafkaError)
        -> [Int32]
    {
        let handle = self.handle
        return try await handle.blocking { () throws(KafkaError) in
            try handle.listedPartitions(of: topic, timeoutMs: Int32(timeout.milliseconds))
        }
    }

    /// Flushes (up to `timeout`), fails what is still queued, and releases the client.
    public func close(timeout: Duration = .seconds(10)) async {
        guard running.clear() else { return }
        let (handle, done) = (self.handle, pollerDone)
        await handle.blocking { () throws(Never) in
            _ = rd_kafka_flush(handle.rk, Int32(timeout.milliseconds))
            Self.release(handle, pollerDone: done)
        }
    }

    deinit {
        // Not closed: nothing waits for these records any more (a `send` holds the producer).
        // Released on a queue of its own: the last reference may go on the cooperative pool.
        guard running.clear() else { return }
        let (handle, done) = (self.handle, pollerDone)
        DispatchQueue.global().async { Self.release(handle, pollerDone: done) }
    }

    /// Fails whatever is still queued (its `send` throws instead of hanging), stops the
    /// delivery-report thread and destroys the client. Blocks: call it off the cooperative pool.
    private static func release(_ handle: KafkaHandle, pollerDone: DispatchGroup) {
        _ = rd_kafka_purge(handle.rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
        _ = rd_kafka_flush(handle.rk, 1000)
        pollerDone.wait()
        rd_kafka_poll(handle.rk, 0)
        handle.destroy()
    }
}

/// One record for `KafkaProducer.send(_:)`; `partition` `nil` lets the partitioner choose by key.
public struct OutgoingRecord: Sendable {
    public var topic: String
    public var partition: Int32?
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [KafkaHeader]

    public init(topic: String, partition: Int32? = nil, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader] = []) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
    }
}

/// A Bool shared with a plain thread (the delivery-report poller), without actors.
final class AtomicFlag: Sendable {
    private let value: Atomic<Bool>
    init(_ initial: Bool) { value = Atomic(initial) }
    var isSet: Bool { value.load(ordering: .acquiring) }
    /// Clears the flag; `true` for the one caller that found it set.
    func clear() -> Bool { value.exchange(false, ordering: .acquiringAndReleasing) }
}

func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeMutableRawPointer?, Int) -> R) -> R {
    guard let bytes else { return body(nil, 0) }
    return bytes.withUnsafeBytes { body(UnsafeMutableRawPointer(mutating: $0.baseAddress), $0.count) }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
