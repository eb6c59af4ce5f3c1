import Foundation

/// Records of a cold load held in memory, in arrival (offset) order, until they are sorted into
/// a run: the keys and values in one byte array and a small fixed-size entry per record, so a
/// run of 32 MB is two allocations, reused for the next run.
struct RunBuffer {
    struct Entry {
        var start: Int
        var keyCount: Int32
        /// -1: a tombstone.
        var valueCount: Int32
    }

    private(set) var bytes: [UInt8] = []
    private(set) var entries: [Entry] = []

    init(reserving capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    /// Bytes held: what the run budget is measured against.
    var footprint: Int { bytes.count + entries.count * MemoryLayout<Entry>.stride }

    var isEmpty: Bool { entries.isEmpty }

    mutating func append(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer?) {
        entries.append(
            Entry(start: bytes.count, keyCount: Int32(key.count), valueCount: value.map { Int32($0.count) } ?? -1))
        bytes.append(contentsOf: key)
        if let value { bytes.append(contentsOf: value) }
    }

    /// Sorts by key in SQLite's order for BLOBs and keeps only the last record of each key
    /// (a later offset wins; a tombstone stays, to hide the key in older runs).
    mutating func sortKeepingLast() {
        guard entries.count > 1 else { return }
        bytes.withUnsafeBytes { raw in
            let base = raw.baseAddress!
            // Equal keys keep arrival order: `start` grows with the offset.
            entries.sort { a, b in
                let order = compareKeys(base + a.start, Int(a.keyCount), base + b.start, Int(b.keyCount))
                return order != 0 ? order < 0 : a.start < b.start
            }
            var kept = 0
            for index in entries.indices {
                let entry = entries[index]
                if index + 1 < entries.count {
                    let next = entries[index + 1]
                    if compareKeys(base + entry.start, Int(entry.keyCount), base + next.start, Int(next.keyCount)) == 0
                    {
                        continue
                    }
                }
                entries[kept] = entry
                kept += 1
            }
            entries.removeLast(entries.count - kept)
        }
    }

    /// Each record in the buffer's order: key, and value or `nil` for a tombstone.
    func visit(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer?) throws -> Void) rethrows {
        try bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            for entry in entries {
                let key = UnsafeRawBufferPointer(start: base + entry.start, count: Int(entry.keyCount))
                let value =
                    entry.valueCount < 0
                    ? nil
                    : UnsafeRawBufferPointer(
                        start: base + entry.start + Int(entry.keyCount), count: Int(entry.valueCount))
                try body(key, value)
            }
        }
    }

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
    }
}

/// SQLite's order for BLOB keys: bytes compared as unsigned, then the shorter first. Runs are
/// sorted in it so that the final table is written in its own key order (pages appended).
@inline(__always)
func compareKeys(_ a: UnsafeRawPointer, _ aCount: Int, _ b: UnsafeRawPointer, _ bCount: Int) -> Int32 {
    let common = min(aCount, bCount)
    let order = common == 0 ? 0 : memcmp(a, b, common)
    if order != 0 { return order }
    return aCount == bCount ? 0 : (aCount < bCount ? -1 : 1)
}
