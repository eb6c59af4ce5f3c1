/// A cursor over Avro binary data: every read is bounds-checked, every varint overflow-checked,
/// and a failure names the offset and what was being read.
struct AvroReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var position: Int

    init(bytes: UnsafeBufferPointer<UInt8>, position: Int) {
        self.bytes = bytes
        self.position = position
    }

    var remaining: Int { bytes.count - position }

    func error(_ reading: String, _ problem: String, at offset: Int? = nil) -> AvroDecodeError {
        AvroDecodeError(offset: offset ?? position, reading: reading, problem: problem)
    }

    /// A zig-zag varint of at most 10 bytes whose value fits 64 bits (`long`, lengths, counts).
    mutating func long(_ reading: String) throws(AvroDecodeError) -> Int64 {
        let start = position
        var raw: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < bytes.count else {
                throw error(reading, "the data ends inside a variable-length integer", at: start)
            }
            let byte = bytes[position]
            position += 1
            // The tenth byte holds bit 63 alone: anything more would overflow 64 bits.
            guard shift < 63 || byte <= 1 else {
                throw error(reading, "the variable-length integer overflows 64 bits", at: start)
            }
            raw |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// A zig-zag varint of at most 5 bytes whose value fits 32 bits (`int`).
    mutating func int(_ reading: String) throws(AvroDecodeError) -> Int32 {
        let start = position
        var raw: UInt32 = 0
        var shift: UInt32 = 0
        while true {
            guard position < bytes.count else {
                throw error(reading, "the data ends inside a variable-length integer", at: start)
            }
            let byte = bytes[position]
            position += 1
            // The fifth byte holds bits 28 to 31 alone.
            guard shift < 28 || byte <= 0x0F else {
                throw error(reading, "the variable-length integer overflows 32 bits (an int)", at: start)
            }
            raw |= UInt32(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        return Int32(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    mutating func byte(_ reading: String) throws(AvroDecodeError) -> UInt8 {
        guard position < bytes.count else { throw error(reading, "the data ends here (1 byte needed)") }
        defer { position += 1 }
        return bytes[position]
    }

    /// The next `count` bytes, in place.
    mutating func take(_ count: Int, _ reading: String) throws(AvroDecodeError) -> UnsafeBufferPointer<UInt8> {
        guard count <= remaining else {
            throw error(reading, "\(count) bytes needed, \(remaining) remain")
        }
        defer { position += count }
        return UnsafeBufferPointer(rebasing: bytes[position..<position + count])
    }

    /// A length (of `bytes` or `string`) and that many bytes.
    mutating func lengthPrefixed(_ reading: String) throws(AvroDecodeError) -> UnsafeBufferPointer<UInt8> {
        let start = position
        let length = try long("\(reading) length")
        guard length >= 0 else { throw error("\(reading) length", "the length \(length) is negative", at: start) }
        guard length <= remaining else {
            throw error(reading, "the length says \(length) bytes, \(remaining) remain")
        }
        return try take(Int(length), reading)
    }

    /// Little-endian, as Avro writes `float` and `double`.
    mutating func littleEndian<T: FixedWidthInteger>(_: T.Type, _ reading: String) throws(AvroDecodeError) -> T {
        let raw = try take(MemoryLayout<T>.size, reading)
        var value: T = 0
        for (index, byte) in raw.enumerated() { value |= T(byte) << (8 * index) }
        return value
    }
}
