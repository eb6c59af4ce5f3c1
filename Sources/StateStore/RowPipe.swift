import Dispatch
import Synchronization

/// Rows on their way from the thread that merges a cold load to the thread that inserts them
/// into the new file, a chunk of a few thousand at a time: the merge runs beside SQLite's
/// inserts instead of before them, on a core a restore otherwise leaves idle. At most `depth`
/// chunks exist, so memory stays a few megabytes whatever the number of rows.
final class RowPipe: Sendable {
    /// Rows copied out of the merge (whose bytes are only valid during its call).
    struct Chunk: Sendable {
        static let rows = 4096
        private(set) var bytes: [UInt8] = []
        private(set) var spans: [(key: Range<Int>, value: Range<Int>)] = []

        var isFull: Bool { spans.count >= Self.rows }

        mutating func add(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
            let keyStart = bytes.count
            bytes.append(contentsOf: key)
            let valueStart = bytes.count
            bytes.append(contentsOf: value)
            spans.append((keyStart..<valueStart, valueStart..<bytes.count))
        }

        fileprivate mutating func empty() {
            bytes.removeAll(keepingCapacity: true)
            spans.removeAll(keepingCapacity: true)
        }
    }

    /// Thrown to the producer once the consumer has stopped (its own error is the one reported).
    struct Stopped: Error {}

    private enum Item: Sendable {
        case chunk(Chunk)
        case end
        case failed(any Error)
    }

    private struct State: ~Copyable {
        var queue: [Item] = []
        var spare: [Chunk] = []
        var stopped = false
    }

    private let state = Mutex(State())
    /// Counts items in `queue`.
    private let filled = DispatchSemaphore(value: 0)
    /// Counts chunks the producer may still take.
    private let room = DispatchSemaphore(value: 0)

    init(depth: Int = 4) {
        // Raised from 0 rather than made with `depth`: Dispatch traps on a semaphore freed
        // below its initial value, as this one is when the consumer stops early.
        for _ in 0..<depth { room.signal() }
    }

    // MARK: the producer's side

    /// An empty chunk to fill, waiting while `depth` chunks are full or being inserted.
    /// - Throws: `Stopped` once the consumer has given up.
    func emptyChunk() throws(Stopped) -> Chunk {
        room.wait()
        return try state.withLock { (state: inout State) throws(Stopped) -> Chunk in
            if state.stopped { throw Stopped() }
            return state.spare.popLast() ?? Chunk()
        }
    }

    func send(_ chunk: Chunk) { put(.chunk(chunk)) }

    /// The producer's last word: the end of the rows, or why they stopped.
    func close(failure: (any Error)?) { put(failure.map { .failed($0) } ?? .end) }

    private func put(_ item: Item) {
        state.withLock { $0.queue.append(item) }
        filled.signal()
    }

    // MARK: the consumer's side

    /// The next chunk, `nil` at the end of the rows.
    /// - Throws: the producer's error.
    func receive() throws -> Chunk? {
        filled.wait()
        switch state.withLock({ $0.queue.removeFirst() }) {
        case .chunk(let chunk): return chunk
        case .end: return nil
        case .failed(let error): throw error
        }
    }

    /// Gives an inserted chunk's buffers back for the producer to fill again.
    func recycle(_ chunk: Chunk) {
        var chunk = chunk
        chunk.empty()
        state.withLock { $0.spare.append(chunk) }
        room.signal()
    }

    /// The consumer gives up: the producer's next `emptyChunk` throws `Stopped`. Returns once
    /// the producer has closed the pipe (it may hold a caller's resources until then).
    func stop() {
        state.withLock { $0.stopped = true }
        room.signal()
        while true {
            filled.wait()
            switch state.withLock({ $0.queue.removeFirst() }) {
            case .chunk: continue
            case .end, .failed: return
            }
        }
    }
}
