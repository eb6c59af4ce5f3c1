import Foundation

/// Records of a cold load held in memory until they are merged into a run file or the store:
/// the keys and values in one byte array and a small fixed-size entry per record, so a buffer
/// of 32 MB is two allocations, reused for the next run.
///
/// Records are sorted as they arrive, a fetched batch at a time (`seal`), while the consumer
/// already fetches the next one: at the end (`visitMerged`) only merging these sorted slices
/// remains, done as the records are read out.
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

    /// Each key once, in key order, with its last record (a later offset wins; a tombstone
    /// stays, to hide the key in older runs): the sorted slices merged as they are read, so the
    /// first record comes out at once and the caller's work on it runs beside the merge.
    mutating func visitMerged(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer?) throws -> Void) throws {
        seal()
        try bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            try entries.withUnsafeBufferPointer { all in
                var slices: [Slice] = []
                var first = 0
                for end in sliceEnds {
                    slices.append(Slice(base: base, entries: UnsafeBufferPointer(rebasing: all[first..<end])))
                    first = end
                }
                var merge = try RunMerge(slices)
                try merge.visit(body)
            }
        }
    }

    /// One sorted slice read as a run: of a key's records (adjacent, in arrival order) only the
    /// last is read.
    private final class Slice: SortedRun {
        private let base: UnsafeRawPointer
        private let entries: UnsafeBufferPointer<Entry>
        private var next = 0
        private(set) var key = UnsafeRawBufferPointer(start: nil, count: 0)
        private(set) var value: UnsafeRawBufferPointer?

        init(base: UnsafeRawPointer, entries: UnsafeBufferPointer<Entry>) {
            self.base = base
            self.entries = entries
        }

        func advance() -> Bool {
            guard next < entries.count else { return false }
            var entry = entries[next]
            next += 1
            while next < entries.count {
                let later = entries[next]
                guard later.prefix == entry.prefix,
                    compareKeys(base + entry.start, Int(entry.keyCount), base + later.start, Int(later.keyCount)) == 0
                else { break }
                entry = later
                next += 1
            }
            key = UnsafeRawBufferPointer(start: base + entry.start, count: Int(entry.keyCount))
            value =
                entry.valueCount < 0
                ? nil
                : UnsafeRawBufferPointer(start: base + entry.start + Int(entry.keyCount), count: Int(entry.valueCount))
            return true
        }
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
