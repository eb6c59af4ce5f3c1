import Foundation

/// A sorted run of a cold load spilled to disk, once the records read exceed the memory
/// budget: a plain file of `[key count: UInt32][value count: Int32, -1 for a tombstone][key]
/// [value]` records, written once, read once in order by the merge, then deleted. Plain files
/// rather than a table: nothing to index or journal, and the merge reads them sequentially.
enum RunFile {
    /// Writes the records `source` hands, in its order.
    static func write(
        to path: String,
        _ source: ((UnsafeRawBufferPointer, UnsafeRawBufferPointer?) throws -> Void) throws -> Void
    ) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw StoreError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var chunk: [UInt8] = []
        chunk.reserveCapacity(1 << 20)
        func drain() throws(StoreError) {
            var done = 0
            while done < chunk.count {
                let wrote = chunk.withUnsafeBytes {
                    Foundation.write(descriptor, $0.baseAddress! + done, $0.count - done)
                }
                guard wrote > 0 else { throw StoreError("cannot write \(path): \(String(cString: strerror(errno)))") }
                done += wrote
            }
            chunk.removeAll(keepingCapacity: true)
        }
        try source { key, value in
            withUnsafeBytes(of: UInt32(key.count).littleEndian) { chunk.append(contentsOf: $0) }
            withUnsafeBytes(of: Int32(value.map { $0.count } ?? -1).littleEndian) { chunk.append(contentsOf: $0) }
            chunk.append(contentsOf: key)
            if let value { chunk.append(contentsOf: value) }
            if chunk.count >= 1 << 20 { try drain() }
        }
        try drain()
    }
}

/// Reads a run file record by record; `key` and `value` stay valid until the next `advance`.
final class RunReader: SortedRun {
    private let descriptor: Int32
    private let path: String
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private(set) var key = UnsafeRawBufferPointer(start: nil, count: 0)
    private(set) var value: UnsafeRawBufferPointer?

    init(path: String, bufferBytes: Int) throws(StoreError) {
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw StoreError("cannot open \(path): \(String(cString: strerror(errno)))") }
        self.path = path
        buffer = .allocate(byteCount: max(bufferBytes, 4096), alignment: 8)
    }

    deinit {
        close(descriptor)
        buffer.deallocate()
    }

    /// Moves to the next record; `false` at the end of the run.
    func advance() throws(StoreError) -> Bool {
        guard try fill(8) else { return false }
        var keyCount: UInt32 = 0
        var valueCount: Int32 = 0
        withUnsafeMutableBytes(of: &keyCount) {
            $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[start..<start + 4]))
        }
        withUnsafeMutableBytes(of: &valueCount) {
            $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[start + 4..<start + 8]))
        }
        let keyLength = Int(UInt32(littleEndian: keyCount))
        let valueLength = Int(Int32(littleEndian: valueCount))
        let total = 8 + keyLength + max(valueLength, 0)
        guard try fill(total) else { throw StoreError("the run file \(path) ends inside a record") }
        let base = UnsafeRawPointer(buffer.baseAddress!) + start
        key = UnsafeRawBufferPointer(start: base + 8, count: keyLength)
        value = valueLength < 0 ? nil : UnsafeRawBufferPointer(start: base + 8 + keyLength, count: valueLength)
        start += total
        return true
    }

    /// Makes `count` bytes available from `start`; `false` at a clean end of the file.
    private func fill(_ count: Int) throws(StoreError) -> Bool {
        if end - start >= count { return true }
        let remaining = end - start
        if count > buffer.count {
            let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: count * 2, alignment: 8)
            larger.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: remaining)
            buffer.deallocate()
            buffer = larger
        } else if remaining > 0 {
            memmove(buffer.baseAddress!, buffer.baseAddress! + start, remaining)
        }
        start = 0
        end = remaining
        while end < count {
            let got = read(descriptor, buffer.baseAddress! + end, buffer.count - end)
            guard got >= 0 else { throw StoreError("cannot read \(path): \(String(cString: strerror(errno)))") }
            if got == 0 {
                if end == 0 { return false }
                throw StoreError("the run file \(path) ends inside a record")
            }
            end += got
        }
        return true
    }
}
