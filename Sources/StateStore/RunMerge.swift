/// A sorted run the merge reads: a run file, or a sorted slice of the memory buffer. Each key
/// once within a run (its last record); `key` and `value` stay valid until the next `advance`.
protocol SortedRun: AnyObject {
    /// Moves to the next record; `false` at the end of the run.
    func advance() throws(StoreError) -> Bool
    var key: UnsafeRawBufferPointer { get }
    /// `nil`: a tombstone.
    var value: UnsafeRawBufferPointer? { get }
}

/// Merges sorted runs into one stream in key order, one record per key: of equal keys, the
/// one from the latest run (the later offsets) wins. A binary heap over the runs' current
/// records, so a record costs O(log runs) comparisons however many runs there are.
struct RunMerge<Run: SortedRun> {
    private let readers: [Run]
    /// Each run's current record, copied out of its reader: the heap compares these without
    /// a reference count per comparison.
    private var keys: [UnsafeRawBufferPointer]
    private var values: [UnsafeRawBufferPointer?]
    private var heap: [Int] = []

    /// `readers` oldest first.
    init(_ readers: [Run]) throws(StoreError) {
        self.readers = readers
        keys = Array(repeating: UnsafeRawBufferPointer(start: nil, count: 0), count: readers.count)
        values = Array(repeating: nil, count: readers.count)
        heap.reserveCapacity(readers.count)
        for index in readers.indices where try load(index) { push(index) }
    }

    /// Each key once, in order, with its winning value (`nil`: a tombstone).
    mutating func visit(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer?) throws -> Void) throws {
        var winner: [UInt8] = []
        while let top = heap.first {
            try body(keys[top], values[top])
            // The winner's bytes are about to be overwritten by its next record: keep its key to
            // drop the same key from older runs.
            winner.removeAll(keepingCapacity: true)
            winner.append(contentsOf: keys[top])
            try step(top)
            while let next = heap.first, same(keys[next], winner) { try step(next) }
        }
    }

    /// Moves run `index` to its next record; `false` at its end.
    private mutating func load(_ index: Int) throws(StoreError) -> Bool {
        let reader = readers[index]
        guard try reader.advance() else { return false }
        keys[index] = reader.key
        values[index] = reader.value
        return true
    }

    /// Advances the run at the heap's root and restores the heap.
    private mutating func step(_ root: Int) throws(StoreError) {
        if try load(root) {
            siftDown(0)
        } else {
            heap.swapAt(0, heap.count - 1)
            heap.removeLast()
            if !heap.isEmpty { siftDown(0) }
        }
    }

    private func same(_ key: UnsafeRawBufferPointer, _ other: [UInt8]) -> Bool {
        other.withUnsafeBytes { raw in
            key.count == raw.count
                && (key.count == 0 || compareKeys(key.baseAddress!, key.count, raw.baseAddress!, raw.count) == 0)
        }
    }

    /// Key order; of equal keys, the later run first.
    private func before(_ a: Int, _ b: Int) -> Bool {
        let (x, y) = (keys[a], keys[b])
        let order: Int32
        if x.count == 0 || y.count == 0 {
            order = x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
        } else {
            order = compareKeys(x.baseAddress!, x.count, y.baseAddress!, y.count)
        }
        return order != 0 ? order < 0 : a > b
    }

    private mutating func push(_ run: Int) {
        heap.append(run)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard before(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var best = left
            if left + 1 < heap.count, before(heap[left + 1], heap[left]) { best = left + 1 }
            guard before(heap[best], heap[parent]) else { return }
            heap.swapAt(best, parent)
            parent = best
        }
    }
}
