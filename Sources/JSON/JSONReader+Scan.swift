/// Byte work of the reader's hot loop: string contents (most of an event's bytes) are skipped
/// eight at a time, and short ASCII text becomes a `String` without a validation pass.
enum ReaderScan {
    /// The end of the whole 8-byte words from `start` that hold only plain string bytes (none a
    /// `"`, a `\`, a control byte or a non-ASCII byte): every byte before it is plain, so the
    /// byte-by-byte loop resumes there and decides the rest exactly as before.
    @inline(__always)
    static func plainWordsEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = UnsafeRawPointer(bytes.baseAddress) else { return start }
        var index = start
        while bytes.count - index >= 8 {
            if hasSpecialByte(base.loadUnaligned(fromByteOffset: index, as: UInt64.self)) { break }
            index += 8
        }
        return index
    }

    /// Whether any byte of `word` is `"`, `\`, below 0x20 or above 0x7F. The classic
    /// word-at-a-time tests (Anderson's bit hacks): each answers exactly whether such a byte
    /// exists, though not which.
    @inline(__always)
    static func hasSpecialByte(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        // A zero byte in v sets a high bit of (v - ones) & ~v; a byte below 0x20 in word sets
        // one of (word - 0x20 each) & ~word; a non-ASCII byte has its own high bit set.
        let zeroQuote = (quote &- ones) & ~quote
        let zeroBackslash = (backslash &- ones) & ~backslash
        let control = (word &- ones &* 0x20) & ~word
        return (zeroQuote | zeroBackslash | control | word) & highs != 0
    }

    /// `String(decoding: bytes, as: UTF8.self)` for bytes known to be ASCII. The standard
    /// library makes a small string (15 bytes or fewer: most member names and many values) from
    /// ASCII bytes with no validation pass; `String(decoding:as:)` validates every string first.
    /// Kept because the pipeline rows ran faster with it (3 paired runs); an isolated loop of
    /// string making showed no gain, so measure in the rows before changing it.
    @inline(__always)
    static func asciiString(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return "" }
        return String(unsafeUninitializedCapacity: bytes.count) { buffer in
            buffer.baseAddress!.initialize(from: source, count: bytes.count)
            return bytes.count
        }
    }
}
