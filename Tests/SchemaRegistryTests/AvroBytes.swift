/// Avro binary written by hand for the tests: the spec's encodings, built independently of the
/// decoder's reader.
enum AvroBytes {
    /// Zig-zag then base-128 varint, as the specification describes `long`.
    static func long(_ value: Int64) -> [UInt8] {
        var raw = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        var out: [UInt8] = []
        repeat {
            let low = UInt8(raw & 0x7F)
            raw >>= 7
            out.append(raw == 0 ? low : low | 0x80)
        } while raw != 0
        return out
    }

    static func string(_ text: String) -> [UInt8] { long(Int64(text.utf8.count)) + Array(text.utf8) }

    static func bytes(_ data: [UInt8]) -> [UInt8] { long(Int64(data.count)) + data }

    static func float(_ value: Float) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value.bitPattern >> ($0 * 8)) }
    }

    static func double(_ value: Double) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value.bitPattern >> ($0 * 8)) }
    }

    /// Minimal two's-complement big-endian bytes of `value`.
    static func twosComplement(_ value: Int64) -> [UInt8] {
        var out = (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) }
        while out.count > 1, (out[0] == 0 && out[1] & 0x80 == 0) || (out[0] == 0xFF && out[1] & 0x80 != 0) {
            out.removeFirst()
        }
        return out
    }
}
