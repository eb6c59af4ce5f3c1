import Foundation
import Synchronization

/// The records of a cold restore (a store with no checkpoint: the whole partition is read),
/// gathered for a bulk build instead of written one by one into the B-tree.
///
/// Random keys into a B-tree cost a page write each, rewritten at every batch's commit (about
/// 7.6 µs a record measured). Here records are copied into a bounded buffer; when it is full it
/// is sorted, reduced to the last record of each key and spilled as a run file. At the end
/// (`PartitionStore.finish`) the runs are merged in key order into a new file, whose table is
/// then written page after page, appended. Memory is the buffer's budget whatever the number of
/// entities; disk is the runs, deleted as the store is built.
public final class ColdLoad: Sendable {
    private let batch: Mutex<ColdBatch>

    init(prefix: String, budgetBytes: Int) {
        batch = Mutex(ColdBatch(prefix: prefix, budgetBytes: budgetBytes))
    }

    // A load dropped half-way (the restore failed) leaves no run files behind.
    deinit { discard() }

    /// Adds records in offset order. After a throw the load is spoilt: `finish` refuses it, and
    /// the store still has no checkpoint (the next restore starts over).
    public func append(_ fill: (inout ColdBatch) throws -> Void) throws {
        try batch.withLock { (batch: inout ColdBatch) throws in
            guard !batch.spoilt else { throw StoreError("a cold load that failed cannot be continued") }
            do {
                try fill(&batch)
                batch.batchDone()
            } catch {
                batch.spoilt = true
                throw error
            }
        }
    }

    /// Records added (tombstones included).
    public var added: Int { batch.withLock { $0.added } }

    /// Every key once, in key order, with the value of its last record; tombstoned keys left out.
    func drain(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void) throws {
        try batch.withLock { (batch: inout ColdBatch) throws in try batch.drain(body) }
    }

    /// Deletes the run files (after `drain`, or to abandon the load).
    func discard() { batch.withLock { $0.discard() } }
}

/// One `append`'s access to a cold load.
public struct ColdBatch: ~Copyable {
    private let prefix: String
    private let budgetBytes: Int
    private var buffer: RunBuffer
    private var runs: [String] = []
    fileprivate var spoilt = false
    public private(set) var added = 0

    fileprivate init(prefix: String, budgetBytes: Int) {
        self.prefix = prefix
        self.budgetBytes = budgetBytes
        buffer = RunBuffer(reserving: 0)
    }

    public mutating func put(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws(StoreError) {
        try add(key: key, value: value)
    }

    public mutating func remove(key: UnsafeRawBufferPointer) throws(StoreError) {
        try add(key: key, value: nil)
    }

    private mutating func add(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer?) throws(StoreError) {
        buffer.append(key: key, value: value)
        added += 1
        if buffer.footprint >= budgetBytes { try spill() }
    }

    /// Sorts what the last batches added, once there is enough of it to be worth a slice of its
    /// own (a trickle of small batches would make many tiny ones).
    fileprivate mutating func batchDone() {
        if buffer.entries.count - (buffer.sliceEnds.last ?? 0) >= 4096 { buffer.seal() }
    }

    /// Writes the buffer, sorted, as a run file, and empties it.
    private mutating func spill() throws(StoreError) {
        let path = prefix + ".run\(runs.count)"
        runs.append(path)
        do {
            try RunFile.write(to: path) { emit in try buffer.visitMerged(emit) }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError("cannot write \(path): \(error)")
        }
        buffer.removeAll()
    }

    fileprivate mutating func drain(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void) throws {
        guard !spoilt else { throw StoreError("a cold load that failed cannot be finished") }
        if runs.isEmpty {
            // Everything fitted in memory: its sorted slices merged, no file.
            try buffer.visitMerged { key, value in if let value { try body(key, value) } }
            return
        }
        if !buffer.isEmpty { try spill() }
        buffer = RunBuffer(reserving: 0)  // the merge's read buffers take its place
        let share = max(64 << 10, budgetBytes / runs.count)
        var readers: [RunReader] = []
        for path in runs { readers.append(try RunReader(path: path, bufferBytes: share)) }
        var merge = try RunMerge(readers)
        try merge.visit { key, value in if let value { try body(key, value) } }
    }

    fileprivate mutating func discard() {
        for path in runs { try? FileManager.default.removeItem(atPath: path) }
        runs = []
        buffer = RunBuffer(reserving: 0)
    }
}
