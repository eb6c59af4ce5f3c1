/// Exact decimal text of an Avro or Connect decimal: the two's-complement big-endian unscaled
/// integer with the point placed `scale` digits from the right. No binary floating point is
/// involved, so `12345678901234567890.12` stays those digits.
enum DecimalText {
    /// Unscaled values longer than this are refused: real columns are a few dozen digits, and
    /// the conversion is quadratic in the length.
    static let maxBytes = 1024
    /// Scales beyond ±this are refused: a hostile scale would otherwise ask for that many zeros.
    static let maxScale = 10_000

    /// `nil` when the bytes or the scale pass the bounds above.
    static func text(unscaled bytes: UnsafeBufferPointer<UInt8>, scale: Int) -> String? {
        guard bytes.count <= maxBytes, abs(scale) <= maxScale else { return nil }
        let (negative, digits) = magnitudeDigits(bytes)
        return place(digits: digits, negative: negative, scale: scale)
    }

    /// The sign and the decimal digits of the magnitude of a two's-complement big-endian integer.
    static func magnitudeDigits(_ bytes: UnsafeBufferPointer<UInt8>) -> (negative: Bool, digits: String) {
        guard let first = bytes.first else { return (false, "0") }
        let negative = first & 0x80 != 0
        if bytes.count <= 8 {
            // The common case (up to 18 digits) in one machine word.
            var value: UInt64 = negative ? .max : 0
            for byte in bytes { value = value << 8 | UInt64(byte) }
            let magnitude = negative ? (~value &+ 1) : value
            return (negative, String(magnitude))
        }
        // Big-endian 32-bit limbs of the magnitude: invert and add one when negative.
        var magnitude = Array(bytes)
        if negative {
            var carry = true
            for index in magnitude.indices.reversed() {
                magnitude[index] = ~magnitude[index]
                if carry {
                    let (sum, overflow) = magnitude[index].addingReportingOverflow(1)
                    magnitude[index] = sum
                    carry = overflow
                }
            }
        }
        var limbs: [UInt32] = []
        let padded = [UInt8](repeating: 0, count: (4 - magnitude.count % 4) % 4) + magnitude
        for start in stride(from: 0, to: padded.count, by: 4) {
            limbs.append(padded[start..<start + 4].reduce(0) { $0 << 8 | UInt32($1) })
        }
        // Repeated division by 10^9 gives nine digits at a time, least significant first.
        var chunks: [UInt32] = []
        while let firstNonZero = limbs.firstIndex(where: { $0 != 0 }) {
            limbs.removeFirst(firstNonZero)
            var remainder: UInt64 = 0
            for index in limbs.indices {
                let current = remainder << 32 | UInt64(limbs[index])
                limbs[index] = UInt32(current / 1_000_000_000)
                remainder = current % 1_000_000_000
            }
            chunks.append(UInt32(remainder))
        }
        guard let top = chunks.last else { return (negative, "0") }
        var digits = String(top)
        for chunk in chunks.dropLast().reversed() {
            let text = String(chunk)
            digits += String(repeating: "0", count: 9 - text.count) + text
        }
        return (negative, digits)
    }

    /// `digits` (no sign, no leading zeros) with the point `scale` places from the right; a
    /// negative scale appends zeros. The result is valid JSON number text.
    static func place(digits: String, negative: Bool, scale: Int) -> String {
        let sign = negative ? "-" : ""
        if scale <= 0 { return sign + digits + (digits == "0" ? "" : String(repeating: "0", count: -scale)) }
        let padded = digits.count > scale ? digits : String(repeating: "0", count: scale - digits.count + 1) + digits
        let point = padded.index(padded.endIndex, offsetBy: -scale)
        return sign + padded[..<point] + "." + padded[point...]
    }
}
