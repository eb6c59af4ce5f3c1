/// A dead letter's key, value and headers, shrunk to fit the producer's size limit.
///
/// A dead letter that cannot be written would stall its partition for ever (the offset waits
/// for it), so whatever the original was, its dead letter must fit: an original value too large
/// to carry is replaced by its first bytes and a `contactsync.value_truncated` header (the
/// original stays fetchable at `__connect.errors.topic/partition/offset` until retention).
public struct DeadLetterPayload: Sendable, Equatable {
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [InboundRecord.Header]

    /// Bytes of a too-large value kept: enough to recognise the record by eye.
    public static let keptValueBytes = 64 * 1024
    /// Keys above this are cut (the decoder refuses such records; their dead letter must still fit).
    public static let maxKeyBytes = 4096
    /// Room kept under the limit for the record's framing (librdkafka and the broker add some).
    public static let framingSlack = 16 * 1024

    /// - Parameters:
    ///   - original: the source record's own headers (kept unless they alone would crowd it out).
    ///   - deadLetter: the `__connect.errors.*` / `contactsync.*` headers (always kept; bounded).
    ///   - limit: the producer's `message.max.bytes`.
    public static func fitting(
        key: [UInt8]?, value: [UInt8]?, original: [InboundRecord.Header],
        deadLetter: [InboundRecord.Header], limit: Int
    ) -> DeadLetterPayload {
        let budget = max(64 * 1024, limit - framingSlack)
        var notes: [InboundRecord.Header] = []
        var key = key
        if let k = key, k.count > maxKeyBytes {
            key = Array(k.prefix(maxKeyBytes))
            notes.append(.init(name: "contactsync.key_truncated", value: Array(String(k.count).utf8)))
        }
        var kept = original
        if size(of: original) > budget / 4 {
            kept = []
            notes.append(
                .init(
                    name: "contactsync.headers_dropped",
                    value: Array("\(original.count) headers, \(size(of: original)) bytes".utf8)))
        }
        var value = value
        let fixed = (key?.count ?? 0) + size(of: kept) + size(of: deadLetter) + size(of: notes) + 64
        if let v = value, fixed + v.count > budget {
            value = Array(v.prefix(min(keptValueBytes, max(0, budget - fixed - 64))))
            notes.append(.init(name: "contactsync.value_truncated", value: Array(String(v.count).utf8)))
        }
        return DeadLetterPayload(key: key, value: value, headers: kept + deadLetter + notes)
    }

    /// Serialized size as librdkafka counts it, rounded up (name, value, varint lengths).
    static func size(of headers: [InboundRecord.Header]) -> Int {
        headers.reduce(0) { $0 + $1.name.utf8.count + ($1.value?.count ?? 0) + 16 }
    }
}
