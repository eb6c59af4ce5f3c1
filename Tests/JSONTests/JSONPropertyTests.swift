import Foundation
import JSON
import PropertyBased
import Testing

/// Round trips over generated documents, with Foundation's reader and writer as an independent
/// witness for strings (the escaping is where hand-written JSON goes wrong).
@Suite struct JSONPropertyTests {
    /// Code points weighted towards the troublesome ones: C0 controls, quote, backslash, slash,
    /// DEL, C1, line separators, the last BMP scalars and non-BMP ones; surrogates are skipped.
    static func scalar(_ seed: Int) -> Unicode.Scalar {
        let special: [UInt32] = [
            0x0, 0x8, 0x9, 0xA, 0xC, 0xD, 0x1B, 0x1F, 0x22, 0x2F, 0x5C, 0x7F, 0x85, 0x2028, 0xFFFD,
        ]
        let pick: UInt32
        switch seed % 4 {
        case 0: pick = special[(seed / 4) % special.count]
        case 1: pick = UInt32(0x20 + (seed / 4) % 0x60)
        case 2: pick = UInt32((seed / 4) % 0x1_0000)
        default: pick = UInt32(0x1_0000 + (seed / 4) % 0x10_0000)
        }
        return Unicode.Scalar(pick) ?? "\u{FFFD}"
    }

    static func text(_ seeds: [Int]) -> String {
        var text = ""
        text.unicodeScalars.append(contentsOf: seeds.map(scalar))
        return text
    }

    /// Number texts in every shape JSON allows, long digit runs included.
    static func number(_ seed: Int) -> String {
        switch seed % 6 {
        case 0: String(seed)
        case 1: "-\(seed)"
        case 2: "\(seed % 1000).\(seed % 97)0"
        case 3: "\(seed % 10)\(seed % 2 == 0 ? "e" : "E")\(["", "+", "-"][seed % 3])\(seed % 400)"
        case 4: String(repeating: "9", count: seed % 40 + 1)
        default: "-0." + String(String(seed).reversed()) + "1"
        }
    }

    /// A document built from `seeds`: each seed picks the next value's kind and content.
    struct Builder {
        var seeds: [Int]
        var position = 0

        mutating func next() -> Int {
            defer { position += 1 }
            return seeds.isEmpty ? 0 : seeds[position % seeds.count]
        }

        mutating func value(depth: Int) -> JSON {
            let seed = next()
            switch seed % (depth >= 4 || position > 60 ? 4 : 6) {
            case 0: return .null
            case 1: return .bool(seed % 2 == 0)
            case 2: return .number(JSONPropertyTests.number(next()))
            case 3: return .string(JSONPropertyTests.text((0..<(seed % 5)).map { _ in next() }))
            case 4: return .array((0..<(seed % 4)).map { _ in value(depth: depth + 1) })
            default:
                return .object(
                    (0..<(seed % 4)).map { _ in
                        (JSONPropertyTests.text((0..<(next() % 3)).map { _ in next() }), value(depth: depth + 1))
                    })
            }
        }
    }

    @Test func documentsSurviveWriteThenRead() async {
        await propertyCheck(count: 500, input: Gen.int(in: 0...Int(Int32.max)).array(of: 1...40)) { seeds in
            var builder = Builder(seeds: seeds)
            let document = builder.value(depth: 0)
            let text = document.serialized()
            let read = try? JSON.parse(Array(text.utf8))
            #expect(read == document, "\(text)")
            // Equality ignores member order; the text does not: order and number digits come back as written.
            #expect(read?.serialized() == text)
            #expect(read?.serialized(.sortedKeys) == document.serialized(.sortedKeys))
        }
    }

    /// What the span scanner hands out for a value is what `JSON.parse` makes of it, for every
    /// document it takes (no escapes): lists are read item by item, in their own order.
    @Test func theSpanScannersValuesAreWhatTheParserReads() async {
        await propertyCheck(count: 500, input: Gen.int(in: 0...Int(Int32.max)).array(of: 1...40)) { seeds in
            var builder = Builder(seeds: seeds)
            // Texts the scanner takes (no escapes), so that nearly every document is compared.
            let text = Self.scannable(builder.value(depth: 0)).serialized()
            // Spaces around every list item and comma too: the scanner must step over them.
            for variant in [
                text, text.replacingOccurrences(of: ",", with: " ,\n ").replacingOccurrences(of: "[", with: "[ "),
            ] {
                let bytes = Array(variant.utf8)
                bytes.withUnsafeBufferPointer { buffer in
                    var scanner = JSONSpanScanner(buffer)
                    guard let span = scanner.skipValue(depth: 0), scanner.finish() else { return }
                    #expect(scanner.value(span) == (try? JSON.parse(bytes)), "\(variant)")
                }
            }
        }
    }

    /// `value` with every text (member names too) made plain (letters and non-ASCII, nothing
    /// escaped), and every list doubled around a number (the builder makes lists of 0 or 2).
    static func scannable(_ value: JSON) -> JSON {
        func plain(_ text: String) -> String {
            String(text.unicodeScalars.map { $0.value < 0x80 ? "a" : "é" })
        }
        switch value {
        case .string(let text): return .string(plain(text))
        case .array(let items):
            let scanned = items.map(scannable)
            return .array(scanned + [.number("7")] + scanned)
        case .object(let members): return .object(members.map { (plain($0.0), scannable($0.1)) })
        default: return value
        }
    }

    @Test func theSpanScannerReadsNestedListsWithSpacesAsTheParserDoes() {
        let text = #"[ "Customers" , ["x", 1, {"a": [true, null]}], [ ], -0.5e3 ,"é"]"#
        let bytes = Array(text.utf8)
        bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONSpanScanner(buffer)
            let span = scanner.skipValue(depth: 0)
            #expect(span != nil && scanner.finish())
            #expect(span.map { scanner.value($0) } == (try? JSON.parse(bytes)))
        }
    }

    @Test func stringsAgreeWithFoundation() async {
        await propertyCheck(count: 500, input: Gen.int(in: 0...Int(Int32.max)).array(of: 0...24)) { seeds in
            let text = Self.text(seeds)
            let ours = JSON.quoted(text)
            let theirs = try? JSONSerialization.jsonObject(with: Data(ours.utf8), options: [.fragmentsAllowed])
            if Self.foundationReadsFaithfully(text) {
                #expect(theirs as? String == text, "\(ours)")
            }
            #expect((try? JSON.parse(Array(ours.utf8))) == .string(text), "\(ours)")
            let written = try? JSONSerialization.data(withJSONObject: text, options: [.fragmentsAllowed])
            #expect((try? JSON.parse(Array(written ?? Data()))) == .string(text))
        }
    }

    /// Foundation's reader drops a U+FEFF that starts a run of unescaped text in a string (it
    /// decodes each run as if it were a document with a byte order mark). RFC 8259 makes it an
    /// ordinary character, which our reader keeps (pinned below); for such texts Foundation is no
    /// witness, and only our own reading is checked.
    static func foundationReadsFaithfully(_ text: String) -> Bool {
        !text.unicodeScalars.contains("\u{FEFF}")
    }

    @Test func aByteOrderMarkInsideAStringIsKept() throws {
        #expect(try JSON.parse(Array("\"\u{FEFF}a\"".utf8)) == .string("\u{FEFF}a"))
        #expect(JSON.quoted("\u{FEFF}") == "\"\u{FEFF}\"")
    }

    @Test func versionsStayExact() async {
        await propertyCheck(count: 300, input: Gen.int64()) { version in
            let read = try? JSON.parse(JSON.object([("v", .number(String(version)))]).serializedBytes())
            guard case .number(let digits)? = read?["v"] else {
                Issue.record("no number read back for \(version)")
                return
            }
            #expect(Int64(digits) == version)
        }
    }
}
