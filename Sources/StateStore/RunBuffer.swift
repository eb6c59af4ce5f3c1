import Foundation

/// Records of a cold load held in memory until they are merged into a run file or the store:
/// the keys and values in one byte array and a small fixed-size entry per record, so a buffer
/// of 32 MB is two allocations, reused for the next run.
///
/// Records are sorted as they arrive, a fetched batch at a time (`seal`), while the consumer
/// already fetches the next one: at the end (`sortKeepingLast`) only merging these sorted
/// slices remains.
struct RunBuffer {
    struct Entry {
        /// Eight bytes of the key past the prefix all keys of its slice share, big-endian: most
        /// comparisons of a sort are one integer comparison (keys such as `ext:cus_…` share
        /// their first bytes, so the first eight alone would tell nothing apart).
        var prefix: UInt64
        var start: Int
        var keyCount: Int32
        /// -1: a tombstone.
        var valueCount: Int32
    }

    private(set) var bytes: [UInt8] = []
    private(set) var entries: [Entry] = []
    /// Where each sorted slice of `entries` ends; entries past the last one are not sorted yet.
    private(set) var sliceEnds: [Int] = []

    init(reserving capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    /// Bytes held: what the run budget is measured against.
    var footprint: Int { bytes.count + entries.count * MemoryLayout<Entry>.stride }

    var isEmpty: Bool { entries.isEmpty }

    mutating func append(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer?) {
        entries.append(
            Entry(
                prefix: 0, start: bytes.count, keyCount: Int32(key.count),
                valueCount: value.map { Int32($0.count) } ?? -1
            ))
        bytes.append(contentsOf: key)
        if let value { bytes.append(contentsOf: value) }
    }

    /// Sorts the entries added since the last call into a slice of their own, in SQLite's key
    /// order for BLOBs (done as batches arrive, while the consumer fetches the next one).
    mutating func seal() {
        let first = sliceEnds.last ?? 0
        guard first < entries.count else { return }
        sortEntries(from: first)
        sliceEnds.append(entries.count)
    }

    /// Sorts all entries into one order and keeps only the last record of each key (a later
    /// offset wins; a tombstone stays, to hide the key in older runs). The slices already
    /// sorted make it a merge: the standard library's sort finds and merges sorted runs.
    mutating func sortKeepingLast() {
        guard !entries.isEmpty else { return }
        sortEntries(from: 0)
        bytes.withUnsafeBytes { raw in
            let base = raw.baseAddress!
            var kept = 0
            for index in entries.indices {
                let entry = entries[index]
                if index + 1 < entries.count {
                    let next = entries[index + 1]
                    if entry.prefix == next.prefix,
                        compareKeys(base + entry.start, Int(entry.keyCount), base + next.start, Int(next.keyCount)) == 0
                    {
                        continue
                    }
                }
                entries[kept] = entry
                kept += 1
            }
            entries.removeLast(entries.count - kept)
        }
        sliceEnds = [entries.count]
    }

    private mutating func sortEntries(from first: Int) {
        bytes.withUnsafeBytes { raw in
            let base = raw.baseAddress!
            entries.withUnsafeMutableBufferPointer { all in
                var slice = UnsafeMutableBufferPointer(rebasing: all[first...])
                Self.setPrefixes(slice, base)
                // Equal keys keep arrival order: `start` grows with the offset.
                slice.sort { a, b in
                    if a.prefix != b.prefix { return a.prefix < b.prefix }
                    let order = compareKeys(base + a.start, Int(a.keyCount), base + b.start, Int(b.keyCount))
                    return order != 0 ? order < 0 : a.start < b.start
                }
            }
        }
    }

    /// Fills in each entry's prefix: the eight bytes past what every key of `slice` shares.
    private static func setPrefixes(_ slice: UnsafeMutableBufferPointer<Entry>, _ base: UnsafeRawPointer) {
        guard let firstEntry = slice.first else { return }
        let reference = base + firstEntry.start
        var shared = Int(firstEntry.keyCount)
        for entry in slice where shared > 0 {
            let key = base + entry.start
            var common = 0
            let limit = min(shared, Int(entry.keyCount))
            while common < limit,
                key.load(fromByteOffset: common, as: UInt8.self)
                    == reference.load(fromByteOffset: common, as: UInt8.self)
            {
                common += 1
            }
            shared = common
        }
        for index in slice.indices {
            let entry = slice[index]
            var prefix: UInt64 = 0
            let key = base + entry.start
            for offset in shared..<shared + 8 {
                prefix <<= 8
                if offset < Int(entry.keyCount) { prefix |= UInt64(key.load(fromByteOffset: offset, as: UInt8.self)) }
            }
            slice[index].prefix = prefix
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
        sliceEnds.removeAll(keepingCapacity: true)
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
