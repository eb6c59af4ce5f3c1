import SyncCore

/// Reads a versions-topic value written exactly as `AppliedVersion.encoded()` writes it
/// (`{"k":…,"v":…,"id":…,"d":…}` then `"u"`, `"n"` and `"h"` when present, no spaces, ASCII strings without
/// escapes), in one pass and without allocating: a cold restore transcodes every record it
/// builds, and the general parser costs several times the insert it feeds. Anything else
/// (other member order, spaces, an escape, non-ASCII text, a number that is not a plain
/// integer) returns `nil`, and the caller falls back to the general parser: this one never
/// reads a value differently from it.
enum CanonicalVersionJSON {
    /// A version's members, the strings as spans of the JSON's bytes (valid while they are).
    struct Fields {
        var kind: OrderingVersion.Kind
        var value: Int64
        var eventID: UnsafeRawBufferPointer
        var deleted: Bool
        var contactUUID: UnsafeRawBufferPointer?
        /// The URN array's inside (`"tel:…","ext:…"`), each a canonical string; `urnCount` of them.
        var urns: UnsafeRawBufferPointer?
        var urnCount = 0
        /// The image digest (`"h"`, 32 lowercase hex digits).
        var digest: ImageDigest?

        /// Each URN of `urns`, in order.
        func forEachURN(_ body: (UnsafeRawBufferPointer) -> Void) {
            guard let urns else { return }
            var scanner = Scanner(bytes: urns)
            while scanner.literal("\""), let urn = scanner.string() {
                body(urn)
                _ = scanner.literal(",")
            }
        }
    }

    static func fields(_ json: UnsafeRawBufferPointer) -> Fields? {
        var scanner = Scanner(bytes: json)
        guard scanner.literal(#"{"k":""#) else { return nil }
        let kind: OrderingVersion.Kind
        if scanner.literal(#"sequence""#) {
            kind = .sequence
        } else if scanner.literal(#"timestamp""#) {
            kind = .timestamp
        } else {
            return nil
        }
        guard scanner.literal(#","v":"#), let value = scanner.integer(), scanner.literal(#","id":""#),
            let eventID = scanner.string(), scanner.literal(#","d":"#), let deleted = scanner.boolean()
        else { return nil }
        var contact: UnsafeRawBufferPointer?
        if scanner.literal(#","u":""#) {
            guard let text = scanner.string() else { return nil }
            contact = text
        }
        var urns: UnsafeRawBufferPointer?
        var urnCount = 0
        if scanner.literal(#","n":["#) {
            let start = scanner.at
            if !scanner.literal("]") {
                repeat {
                    guard scanner.literal("\""), scanner.string() != nil else { return nil }
                    urnCount += 1
                } while scanner.literal(",")
                guard scanner.literal("]") else { return nil }
            }
            urns = UnsafeRawBufferPointer(rebasing: json[start..<scanner.at - 1])
        }
        var digest: ImageDigest?
        if scanner.literal(#","h":""#) {
            guard let text = scanner.string(), let read = ImageDigest(hex: String(decoding: text, as: UTF8.self))
            else { return nil }
            digest = read
        }
        guard scanner.literal("}"), scanner.atEnd else { return nil }
        return Fields(
            kind: kind, value: value, eventID: eventID, deleted: deleted, contactUUID: contact, urns: urns,
            urnCount: urnCount, digest: digest)
    }

    private struct Scanner {
        let bytes: UnsafeRawBufferPointer
        var at = 0

        var atEnd: Bool { at == bytes.count }

        /// Consumes `text` if the bytes go on with it.
        mutating func literal(_ text: StaticString) -> Bool {
            let count = text.utf8CodeUnitCount
            guard bytes.count - at >= count else { return false }
            for index in 0..<count where bytes[at + index] != text.utf8Start[index] { return false }
            at += count
            return true
        }

        /// The rest of a string whose opening quote was consumed, up to its closing quote
        /// (consumed): `nil` for an escape, a control character or a byte past ASCII.
        mutating func string() -> UnsafeRawBufferPointer? {
            let start = at
            while at < bytes.count {
                let byte = bytes[at]
                if byte == UInt8(ascii: "\"") {
                    defer { at += 1 }
                    return UnsafeRawBufferPointer(rebasing: bytes[start..<at])
                }
                guard byte != UInt8(ascii: "\\"), byte >= 0x20, byte < 0x80 else { return nil }
                at += 1
            }
            return nil
        }

        /// A JSON integer (`-`? then `0` or digits not starting with `0`) that fits an `Int64`.
        mutating func integer() -> Int64? {
            let negative = at < bytes.count && bytes[at] == UInt8(ascii: "-")
            if negative { at += 1 }
            let start = at
            var magnitude: UInt64 = 0
            while at < bytes.count, bytes[at] >= UInt8(ascii: "0"), bytes[at] <= UInt8(ascii: "9") {
                let (times, overflow) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, carry) = times.addingReportingOverflow(UInt64(bytes[at] - UInt8(ascii: "0")))
                guard !overflow, !carry else { return nil }
                magnitude = sum
                at += 1
            }
            let digits = at - start
            guard digits > 0, digits == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
            if negative {
                guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
                return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
            }
            guard magnitude <= UInt64(Int64.max) else { return nil }
            return Int64(magnitude)
        }

        mutating func boolean() -> Bool? {
            if literal("true") { return true }
            if literal("false") { return false }
            return nil
        }
    }
}
