/// Where a restore writes the versions topic's records, raw: a tail batch into the file
/// (`RestoreBatch`) or a cold load's buffer (`ColdBatch`).
public protocol RawRecordSink: ~Copyable {
    /// The key's record, whose value replaces what the key had.
    mutating func put(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws(StoreError)
    /// A tombstone: the key has no state any more.
    mutating func remove(key: UnsafeRawBufferPointer) throws(StoreError)
}

extension RestoreBatch: RawRecordSink {}
extension ColdBatch: RawRecordSink {}
