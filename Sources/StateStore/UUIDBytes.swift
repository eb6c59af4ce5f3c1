/// A UUID in its canonical text form (`8-4-4-4-12` lowercase hexadecimal digits) as its 16
/// bytes: the platform's contact UUIDs and most producers' event ids are such, and a store
/// holds them in less than half the bytes. Only the canonical form is taken, so the text read
/// back is the text given.
struct UUIDBytes {
    private var bytes: (UInt64, UInt64)

    init?(utf8: UnsafeRawBufferPointer) {
        guard let parsed = Self.parse(utf8) else { return nil }
        bytes = parsed
    }

    private static func parse(_ utf8: UnsafeRawBufferPointer) -> (UInt64, UInt64)? {
        guard utf8.count == 36 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        var digits = 0
        for (index, byte) in utf8.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte - UInt8(ascii: "a") + 10
            default: return nil
            }
            if digits < 16 { high = high << 4 | UInt64(nibble) } else { low = low << 4 | UInt64(nibble) }
            digits += 1
        }
        return (high, low)
    }

    func append(to target: inout [UInt8]) {
        withUnsafeBytes(of: bytes.0.bigEndian) { target.append(contentsOf: $0) }
        withUnsafeBytes(of: bytes.1.bigEndian) { target.append(contentsOf: $0) }
    }

    /// The canonical text of 16 bytes.
    static func text(_ raw: UnsafeRawBufferPointer) -> String {
        let hex = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 36) { out in
            var at = 0
            for (index, byte) in raw.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    out[at] = UInt8(ascii: "-")
                    at += 1
                }
                out[at] = hex[Int(byte >> 4)]
                out[at + 1] = hex[Int(byte & 0x0F)]
                at += 2
            }
            return at
        }
    }
}
