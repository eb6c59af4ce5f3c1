import CRdKafka
import Foundation
public import Logging

/// Where the broker stored a record.
public struct DeliveryReport: Sendable, Hashable {
    public let topic: String
    public let partition: Int32
    public let offset: Int64
}

/// A producer whose `send` returns only once the broker confirmed the record, so a caller can
/// mark work done (commit a source offset) knowing the record is durable.
public final class KafkaProducer: @unchecked Sendable {
    let handle: KafkaHandle
    private let poller: Thread
    private let running = ManagedAtomicFlag()

    /// - Parameter properties: librdkafka producer properties (`bootstrap.servers`, `acks`, …).
    ///   `enable.idempotence` and `acks=all` are on unless set: a dead letter must not be lost
    ///   or duplicated by a retry.
    public init(properties: KafkaProperties, logger: Logger) throws(KafkaError) {
        var properties = properties
        if properties["acks"] == nil && properties["request.required.acks"] == nil { properties["acks"] = "all" }
        if properties["enable.idempotence"] == nil { properties["enable.idempotence"] = "true" }
        handle = try KafkaHandle(type: RD_KAFKA_PRODUCER, properties: properties, logger: logger) { conf in
            rd_kafka_conf_set_dr_msg_cb(conf) { _, message, _ in
                guard let message, let opaque = message.pointee._private else { return }
                let delivery = Unmanaged<DeliveryTarget>.fromOpaque(opaque).takeRetainedValue()
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
        running.set(true)
        // Delivery reports are served by rd_kafka_poll; a dedicated thread keeps them flowing
        // without borrowing a thread of Swift's cooperative pool.
        poller = Thread {
            while running.value { rd_kafka_poll(handle.rk, 50) }
        }
        poller.name = "kafka-producer-poll"
        poller.start()
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
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<DeliveryReport, any Error>) in
            let delivery = PendingDelivery(topic: topic, continuation: continuation)
            let opaque = Unmanaged<DeliveryTarget>.passRetained(delivery).toOpaque()
            if let error = enqueue(
                topic: topic, partition: partition ?? RD_KAFKA_PARTITION_UA, key: key, value: value,
                headers: headers, opaque: opaque)
            {
                Unmanaged<DeliveryTarget>.fromOpaque(opaque).release()
                continuation.resume(throwing: error)
            }
        }
    }

    /// Sends records in order and waits until the broker acknowledged every one: one wait
    /// for the lot, so bulk copies (replays, loads) cost little more than librdkafka itself.
    /// - Returns: the reports, in the order of `records`.
    /// - Throws: the first `KafkaError` (the other records may or may not have been delivered).
    @discardableResult
    public func send(_ records: [OutgoingRecord]) async throws -> [DeliveryReport] {
        guard !records.isEmpty else { return [] }
        return try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<[DeliveryReport], any Error>) in
            let batch = PendingBatch(count: records.count, continuation: continuation)
            for (index, record) in records.enumerated() {
                let slot = PendingBatch.Slot(batch: batch, index: index, topic: record.topic)
                let opaque = Unmanaged<DeliveryTarget>.passRetained(slot).toOpaque()
                if let error = enqueue(
                    topic: record.topic, partition: record.partition ?? RD_KAFKA_PARTITION_UA, key: record.key,
                    value: record.value, headers: record.headers, opaque: opaque)
                {
                    Unmanaged<DeliveryTarget>.fromOpaque(opaque).release()
                    batch.fail(remainingFrom: index, error)
                    return
                }
            }
        }
    }

    private func enqueue(
        topic: String, partition: Int32, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader],
        opaque: UnsafeMutableRawPointer
    ) -> KafkaError? {
        while true {
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
            guard let error else { return nil }  // librdkafka owns the headers now
            if let hdrs { rd_kafka_headers_destroy(hdrs) }
            if rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR__QUEUE_FULL {
                // The local queue is full (brokers slow or down): wait for room, don't drop.
                rd_kafka_error_destroy(error)
                rd_kafka_poll(handle.rk, 10)
                continue
            }
            return KafkaError(taking: error, context: "queue a record for \(topic)")
        }
    }

    /// Waits until every queued record was delivered or failed.
    public func flush(timeout: Duration = .seconds(10)) throws(KafkaError) {
        let err = rd_kafka_flush(handle.rk, Int32(timeout.milliseconds))
        if err.isError { throw KafkaError(err, context: "flush the producer") }
    }

    /// The partitions of `topic` (the broker creates it when auto-creation is on).
    public func partitions(of topic: String, timeout: Duration = .seconds(5)) async throws -> [Int32] {
        let handle = self.handle
        return try await offloaded { try handle.partitions(of: topic, timeoutMs: Int32(timeout.milliseconds)) }
    }

    /// Flushes (up to `timeout`), fails what is still queued, and releases the client.
    public func close(timeout: Duration = .seconds(10)) {
        guard running.value else { return }
        _ = rd_kafka_flush(handle.rk, Int32(timeout.milliseconds))
        // Whatever could not be delivered in time fails its `send` instead of hanging it.
        _ = rd_kafka_purge(handle.rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
        _ = rd_kafka_flush(handle.rk, 1000)
        running.set(false)
        while !poller.isFinished { Thread.sleep(forTimeInterval: 0.01) }
        rd_kafka_poll(handle.rk, 0)
        handle.destroy()
    }

    deinit { close(timeout: .zero) }
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

/// What a delivery report is handed to: one awaiting caller, or one record of a batch. A class
/// (not a protocol) so the delivery callback gets it back from the opaque pointer without a cast.
class DeliveryTarget: @unchecked Sendable {
    let topic: String
    init(topic: String) { self.topic = topic }
    func finish(_ result: Result<DeliveryReport, KafkaError>) { fatalError("subclasses say what a report does") }
}

/// A record on its way, holding the caller's continuation until librdkafka reports.
final class PendingDelivery: DeliveryTarget, @unchecked Sendable {
    private let continuation: CheckedContinuation<DeliveryReport, any Error>
    init(topic: String, continuation: CheckedContinuation<DeliveryReport, any Error>) {
        self.continuation = continuation
        super.init(topic: topic)
    }
    override func finish(_ result: Result<DeliveryReport, KafkaError>) {
        continuation.resume(with: result.mapError { $0 as any Error })
    }
}

/// A Bool shared with a thread, without actors (the poll thread is plain Foundation).
final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = false
    var value: Bool { lock.withLock { stored } }
    func set(_ newValue: Bool) { lock.withLock { stored = newValue } }
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
