import Foundation
import Synchronization
import Testing

@testable import StateStore

/// The build of a cold-loaded file, whose rows are produced on one thread (the merge) and
/// inserted on another (`RowPipe`): a failure on either side ends both, and nothing is left.
@Suite("StoreFile.build: the merge and the inserts on two threads", .timeLimit(.minutes(1)))
struct StoreBuildTests {
    static let rows = 100_000

    @Test("all rows handed over are in the file, in order, across many chunks")
    func everyRowArrives() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/built"
        try StoreFile.build(path: path, identity: identity, checkpoint: 7, cacheKB: 2048) { emit in
            for n in 0..<Self.rows { try Self.emit(n, emit) }
        }
        let connection = try Connection(path: path)
        #expect(try connection.integer("SELECT count(*) FROM entity") == Int64(Self.rows))
        #expect(try connection.text("SELECT value FROM meta WHERE name = 'checkpoint'") == "7")
        let last = try connection.prepare("SELECT key, value FROM entity ORDER BY key DESC LIMIT 1")
        #expect(try last.step())
        #expect(last.bytes(0) == Array(Self.key(Self.rows - 1).utf8))
        #expect(last.bytes(1) == Array("value \(Self.rows - 1)".utf8))
        last.reset()
        last.finalize()
        connection.close()
    }

    @Test("the merge failing half-way fails the build with its error and leaves no file")
    func producerFails() throws {
        struct RunLost: Error {}
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/built"
        #expect(throws: RunLost.self) {
            try StoreFile.build(path: path, identity: identity, checkpoint: 7, cacheKB: 2048) { emit in
                for n in 0..<Self.rows {
                    if n == Self.rows / 2 { throw RunLost() }
                    try Self.emit(n, emit)
                }
            }
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("an insert failing stops the merge early, fails the build with SQLite's error and leaves no file")
    func insertFails() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/built"
        let emitted = Mutex(0)
        let mergeEnded = Mutex(false)
        let error = #expect(throws: StoreError.self) {
            try StoreFile.build(path: path, identity: identity, checkpoint: 7, cacheKB: 2048) { emit in
                defer { mergeEnded.withLock { $0 = true } }
                for n in 0..<Self.rows {
                    // The same key twice: the table's primary key refuses the second.
                    try Self.emit(n == Self.rows / 4 ? n - 1 : n, emit)
                    emitted.withLock { $0 += 1 }
                }
            }
        }
        #expect(error?.description.contains("UNIQUE") == true, "\(String(describing: error))")
        // The merge runs at most a few chunks ahead of the inserts, then is told to stop, and
        // has ended by the time the build returns (it may hold the cold load's lock).
        #expect(emitted.withLock { $0 } < Self.rows / 2)
        #expect(mergeEnded.withLock { $0 })
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    private static func key(_ n: Int) -> String { "ext:cus_\(1_000_000 + n)" }

    private static func emit(
        _ n: Int, _ emit: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var key = key(n)
        var value = "value \(n)"
        try key.withUTF8 { key in
            try value.withUTF8 { try emit(UnsafeRawBufferPointer(key), UnsafeRawBufferPointer($0)) }
        }
    }
}
