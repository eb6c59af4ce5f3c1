/// Byte-level helpers for the decoder's hot path.
///
/// Event values are nearly always ASCII. The platform's rules are written over Characters
/// (grapheme clusters), and walking Characters costs far more than walking bytes. In ASCII text
/// every Character is one byte, except `"\r\n"` (one Character, two bytes): the fast paths below
/// apply only where that makes no difference, and fall back to the Character rules otherwise.
extension UInt8 {
    /// Unicode `White_Space` restricted to ASCII: tab, line feed, vertical tab, form feed,
    /// carriage return and space (what `Character.isWhitespace` says of these bytes).
    var isASCIIWhitespace: Bool { self == 0x20 || (0x09...0x0D).contains(self) }

    var isASCIIDigit: Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) }

    var isASCIILetter: Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self | 0x20) }

    var asciiLowercased: UInt8 { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self) ? self | 0x20 : self }
}

extension StringProtocol {
    /// Whether every byte is ASCII (then Characters and bytes agree, save `"\r\n"`).
    var isASCII: Bool {
        utf8.withContiguousStorageIfAvailable { $0.allSatisfy { $0 < 0x80 } } ?? utf8.allSatisfy { $0 < 0x80 }
    }

    /// `lowercased() == text`, without building the lower-cased copy when both are ASCII.
    func lowercasedEquals(_ text: some StringProtocol) -> Bool {
        guard isASCII, text.isASCII else { return lowercased() == text }
        return utf8.elementsEqual(text.utf8) { $0.asciiLowercased == $1 }
    }

    /// `lowercased() == other.lowercased()`, without building either copy when both are ASCII.
    func equalsIgnoringCase(_ other: some StringProtocol) -> Bool {
        guard isASCII, other.isASCII else { return lowercased() == other.lowercased() }
        return utf8.elementsEqual(other.utf8) { $0.asciiLowercased == $1.asciiLowercased }
    }

    /// At most `limit` characters as the platform counts them: it is Python/Django, whose
    /// `len()` counts code points (a letter with 50 combining marks is 51, not one Character).
    /// The bytes decide it first when they can (a code point is at least one byte).
    func hasAtMost(_ limit: Int) -> Bool {
        utf8.count <= limit || unicodeScalars.count <= limit
    }

    /// The length the platform sees (Python's `len()`: code points).
    var platformLength: Int { unicodeScalars.count }
}

extension String {
    /// `body` over the UTF-8 bytes in place: native strings (small ones included) are
    /// contiguous, so only a bridged string is copied. The hot path reads bytes through this
    /// rather than through `utf8`'s indices, which cost a bounds and encoding check per step.
    @inline(__always)
    func withUTF8Bytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let result = utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = self
        return copy.withUTF8(body)
    }

    /// `self` without leading and trailing whitespace Characters.
    func trimmingSpaces() -> String {
        // The usual case, decided on the bytes in place: ASCII, not whitespace, at both ends
        // (the reasoning of `asciiTrimmed`), so nothing is trimmed.
        if withUTF8Bytes(Self.hasASCIIEdgesToKeep) { return self }
        let trimmed = self[...].trimmingSpaces()
        // Usually nothing is trimmed: keep this string rather than copy it.
        return trimmed.utf8.count == utf8.count ? self : String(trimmed)
    }

    private static func hasASCIIEdgesToKeep(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = bytes.first, let last = bytes.last else { return false }
        return first < 0x80 && last < 0x80 && !first.isASCIIWhitespace && !last.isASCIIWhitespace
    }
}

extension Substring {
    /// `self` without leading and trailing whitespace Characters.
    func trimmingSpaces() -> Substring {
        if let trimmed = asciiTrimmed() { return trimmed }
        // A Character is whitespace when its first scalar is; walk Characters from both ends.
        guard let first = firstIndex(where: { !$0.isWhitespace }) else { return self[endIndex...] }
        return self[first...self[first...].lastIndex { !$0.isWhitespace }!]
    }

    /// Trimming by bytes, when the bytes decide it: ASCII whitespace dropped from each end, and
    /// the first and last bytes kept are ASCII (a kept ASCII byte cannot join a dropped space
    /// into one Character, nor can a dropped space belong to a kept non-ASCII Character).
    /// `nil` when a non-ASCII byte sits at an edge: the Character walk decides.
    private func asciiTrimmed() -> Substring? {
        let bytes = utf8
        // The usual case: ASCII, not whitespace, at both ends: nothing to trim.
        if let first = bytes.first, let last = bytes.last, first < 0x80, last < 0x80, !first.isASCIIWhitespace,
            !last.isASCIIWhitespace
        {
            return self
        }
        // Only ASCII whitespace: nothing is left either way.
        guard let start = bytes.firstIndex(where: { !$0.isASCIIWhitespace }) else { return self[endIndex...] }
        let end = bytes.lastIndex { !$0.isASCIIWhitespace }!
        guard bytes[start] < 0x80, bytes[end] < 0x80 else { return nil }
        return self[start...end]
    }
}
