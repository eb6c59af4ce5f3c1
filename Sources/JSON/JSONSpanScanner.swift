/// A one-pass reader that checks a document and hands out where its values lie (spans of the
/// bytes) instead of building them: the canonical decoder's fast path reads the few members it
/// needs straight from the bytes, decoding each value on demand, and builds no tree to tear down.
///
/// It takes a subset of JSON: strings without escapes (non-ASCII text is taken once it is valid
/// UTF-8), nesting within `maxDepth`, and otherwise what `JSON.parse` takes. Anything else (an
/// escape, an error of any kind) sets `failed`, and the caller goes to `JSON.parse`, which decides
/// and words the rejection: the scanner never refuses a document on its own. Within that subset,
/// `value(_:)` of a span equals what `JSON.parse` gives for the value there.
public struct JSONSpanScanner {
    public let bytes: UnsafeBufferPointer<UInt8>
    /// The next byte to read.
    public private(set) var index: Int
    /// The text is outside the subset (or not JSON): nothing read so far may be used.
    public private(set) var failed = false
    let maxDepth: Int

    public init(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int = 0, maxDepth: Int = JSON.defaultMaxDepth) {
        self.bytes = bytes
        self.index = index
        self.maxDepth = maxDepth
    }

    public mutating func skipSpace() {
        while index < bytes.count,
            bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09
        { index += 1 }
    }

    /// Enters the object that starts here (after spaces), at nesting `depth` (the document is at
    /// 0); `false`, with nothing read, when the value here is not an object.
    public mutating func openObject(depth: Int) -> Bool {
        skipSpace()
        guard !failed, index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return false }
        guard depth < maxDepth else {
            failed = true
            return false
        }
        index += 1
        return true
    }

    /// The next member's name (the bytes between its quotes), the scanner then at its value;
    /// `nil` at the end of the object (the scanner then past its `}`) or on failure. `count` is
    /// the members read so far in this object: start it at 0.
    public mutating func nextMember(_ count: inout Int) -> Range<Int>? {
        guard !failed else { return nil }
        skipSpace()
        guard index < bytes.count else { return failure() }
        if count > 0 {
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return nil
            }
            guard bytes[index] == UInt8(ascii: ",") else { return failure() }
            index += 1
            skipSpace()
        } else if bytes[index] == UInt8(ascii: "}") {
            index += 1
            return nil
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let name = string() else {
            return failure()
        }
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return failure() }
        index += 1
        skipSpace()
        count += 1
        return name.lowerBound + 1..<name.upperBound - 1
    }

    /// Checks the next item of the list the scanner is in (past its `[`), at nesting `depth`:
    /// its span; `nil` at the end of the list (the scanner then past its `]`) or on failure.
    /// `count` is the items read so far in this list: start it at 0.
    public mutating func nextItem(_ count: inout Int, depth: Int) -> Range<Int>? {
        guard !failed else { return nil }
        skipSpace()
        guard index < bytes.count else { return failure() }
        if bytes[index] == UInt8(ascii: "]") {
            index += 1
            return nil
        }
        if count > 0 {
            guard bytes[index] == UInt8(ascii: ",") else { return failure() }
            index += 1
        }
        count += 1
        return skipValue(depth: depth)
    }

    private mutating func failure() -> Range<Int>? {
        failed = true
        return nil
    }

    /// Checks the value that starts here (after spaces), at nesting `depth`, and steps past it:
    /// its span, or `nil` on failure.
    public mutating func skipValue(depth: Int) -> Range<Int>? {
        guard !failed else { return nil }
        guard depth < maxDepth else { return failure() }
        skipSpace()
        guard index < bytes.count else { return failure() }
        let start = index
        switch bytes[index] {
        case UInt8(ascii: "\""): return string() ?? failure()
        case UInt8(ascii: "{"):
            index += 1
            var count = 0
            while nextMember(&count) != nil {
                guard skipValue(depth: depth + 1) != nil else { return nil }
            }
            return failed ? nil : start..<index
        case UInt8(ascii: "["):
            index += 1
            var count = 0
            while nextItem(&count, depth: depth + 1) != nil {}
            return failed ? nil : start..<index
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number()
        default: return failure()
        }
    }

    /// Whether the document ends here (spaces aside) with nothing outside the subset.
    public mutating func finish() -> Bool {
        skipSpace()
        return !failed && index == bytes.count
    }

    private mutating func literal(_ word: StaticString) -> Range<Int>? {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return failure() }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return failure() }
        index += count
        return index - count..<index
    }

    /// The grammar of `JSONParser.number`.
    private mutating func number() -> Range<Int>? {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        if index + 1 < bytes.count, bytes[index] == UInt8(ascii: "0"), bytes[index + 1].isDigit {
            return failure()
        }
        guard skipDigits() > 0 else { return failure() }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard skipDigits() > 0 else { return failure() }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard skipDigits() > 0 else { return failure() }
        }
        return start..<index
    }

    private mutating func skipDigits() -> Int {
        let start = index
        while index < bytes.count, bytes[index].isDigit { index += 1 }
        return index - start
    }

    /// A string without escapes, quotes included in the span; `nil` (not failing: the callers
    /// do) for anything else.
    private mutating func string() -> Range<Int>? {
        let start = index
        index += 1
        var allBytes: UInt8 = 0
        index = ReaderScan.plainWordsEnd(bytes, from: index)
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                if allBytes >= 0x80,
                    String(validating: UnsafeBufferPointer(rebasing: bytes[start + 1..<index - 1]), as: UTF8.self)
                        == nil
                {
                    return nil
                }
                return start..<index
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            allBytes |= byte
            index += 1
        }
        return nil
    }

    // MARK: Reading what was checked

    /// Whether the bytes in `span` are `literal`'s.
    public func bytes(_ span: Range<Int>, equal literal: StaticString) -> Bool {
        guard span.count == literal.utf8CodeUnitCount, let base = bytes.baseAddress else { return false }
        let text = base + span.lowerBound
        for offset in 0..<span.count where text[offset] != literal.utf8Start[offset] { return false }
        return true
    }

    /// Whether the value at `span` is a string, an object, `null`.
    public func isString(_ span: Range<Int>) -> Bool { bytes[span.lowerBound] == UInt8(ascii: "\"") }
    public func isObject(_ span: Range<Int>) -> Bool { bytes[span.lowerBound] == UInt8(ascii: "{") }
    public func isNull(_ span: Range<Int>) -> Bool { bytes[span.lowerBound] == UInt8(ascii: "n") }
    public func isNumber(_ span: Range<Int>) -> Bool {
        bytes[span.lowerBound] == UInt8(ascii: "-") || bytes[span.lowerBound].isDigit
    }

    /// The text between the quotes of a string value's span, or of a member name's span.
    public func contents(ofString span: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[span.lowerBound + 1..<span.upperBound - 1])
    }

    /// A checked member name's text (its span as `nextMember` gave it).
    public func name(_ span: Range<Int>) -> String { Self.text(UnsafeBufferPointer(rebasing: bytes[span])) }

    /// The value at a checked span: what `JSON.parse` gives for it.
    public func value(_ span: Range<Int>) -> JSON {
        switch bytes[span.lowerBound] {
        case UInt8(ascii: "\""): return .string(Self.text(contents(ofString: span)))
        case UInt8(ascii: "t"): return .bool(true)
        case UInt8(ascii: "f"): return .bool(false)
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "["):
            // Read item by item into one allocation: growing the parser's array one append at a
            // time allocated twice for a list of two (the groups of nearly every event).
            var items: [JSON] = []
            // Each item and its comma take at least two bytes: a bound, no more than a short list's worth.
            items.reserveCapacity(min(span.count / 2, 16))
            var reader = JSONSpanScanner(bytes, at: span.lowerBound + 1, maxDepth: maxDepth)
            var count = 0
            while let item = reader.nextItem(&count, depth: 0) { items.append(value(item)) }
            return .array(items)
        case UInt8(ascii: "{"):
            // Checked already: within the subset, so parsing cannot fail.
            return (try? JSON.parse(buffer: UnsafeBufferPointer(rebasing: bytes[span]))) ?? .null
        default: return .number(ReaderScan.asciiString(UnsafeBufferPointer(rebasing: bytes[span])))
        }
    }

    /// `value(span).scalarText`, with no `JSON` in between.
    public func scalarText(_ span: Range<Int>) -> String? {
        switch bytes[span.lowerBound] {
        case UInt8(ascii: "\""): Self.text(contents(ofString: span))
        case UInt8(ascii: "t"): "true"
        case UInt8(ascii: "f"): "false"
        case UInt8(ascii: "n"), UInt8(ascii: "{"), UInt8(ascii: "["): nil
        default: ReaderScan.asciiString(UnsafeBufferPointer(rebasing: bytes[span]))
        }
    }

    /// Checked string bytes (valid UTF-8, no escapes) as text, as `JSONParser.string` makes it.
    static func text(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        if bytes.allSatisfy({ $0 < 0x80 }) { return ReaderScan.asciiString(bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension UInt8 {
    fileprivate var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
}
