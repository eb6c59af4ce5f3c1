import CRdKafka
import Logging

/// A record as librdkafka holds it, valid only inside the `pollRaw` body that received it:
/// nothing is copied.
public struct RawRecord {
    public let partition: Int32
    public let offset: Int64
    public let key: UnsafeRawBufferPointer?
    /// `nil` for a tombstone.
    public let value: UnsafeRawBufferPointer?
}

extension KafkaConsumer {
    /// Hands `body` up to `maxRecords` records (waiting at most `timeout` for the first) without
    /// copying them, for bulk readers of assigned partitions such as a state restore: a
    /// `KafkaRecord` costs about a microsecond of copies per record, more than writing it to a
    /// local store. Runs on the handle's blocking queue, off the cooperative pool, so `body` may
    /// block too (a database transaction). Not for a group member: rebalance callbacks belong
    /// to `poll`'s thread.
    public func pollRaw<T: Sendable>(
        maxRecords: Int, timeout: Duration, _ body: @escaping @Sendable ([RawRecord]) throws -> T
    ) async throws -> T {
        let handle = handle
        let logger = logger
        let timeoutMs = Int32(timeout.milliseconds)
        return try await handle.blocking { () throws -> T in
            var messages: [UnsafeMutablePointer<rd_kafka_message_t>] = []
            defer { for message in messages { rd_kafka_message_destroy(message) } }
            var records: [RawRecord] = []
            var wait = timeoutMs
            while records.count < maxRecords, let message = rd_kafka_consumer_poll(handle.rk, wait) {
                messages.append(message)
                wait = 0
                let m = message.pointee
                if m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF { continue }
                if m.err.isError {
                    logger.warning(
                        "kafka consume error", metadata: ["error": "\(KafkaError(m.err, context: "consume"))"])
                    continue
                }
                records.append(
                    RawRecord(
                        partition: m.partition, offset: m.offset,
                        key: m.key.map { UnsafeRawBufferPointer(start: $0, count: m.key_len) },
                        value: m.payload.map { UnsafeRawBufferPointer(start: $0, count: m.len) }))
            }
            return try body(records)
        }
    }
}
