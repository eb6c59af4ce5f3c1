import PropertyBased
import Testing

@testable import SyncCore

/// The decoder's byte-level shortcuts (trimming, dropping a scheme, spotting a datetime) must
/// give exactly what the Character rules they stand in for give, on ASCII and on text whose
/// edges are combining marks, non-ASCII spaces or look-alikes.
@Suite struct ByteFastPathTests {
    /// Pieces the texts are made of: ASCII, a combining acute, non-ASCII whitespace (no-break
    /// space, line separator, ideographic space), CR LF, the Kelvin sign (canonically `K`).
    static let pieces = [
        "t", "e", "l", ":", "+", "5", "0", " ", "\t", "\n", "\r\n", "\u{301}", "\u{A0}", "\u{2028}", "\u{3000}", "é",
        "\u{212A}", "-", "T", "2", "mailto", "tel:", "whatsapp:",
    ]

    static func text(_ picks: [Int]) -> String { picks.map { pieces[$0 % pieces.count] }.joined() }

    /// Trimming over Characters: the rule `trimmingSpaces` must keep to.
    static func characterTrimmed(_ text: String) -> String {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(text[first...text.lastIndex { !$0.isWhitespace }!])
    }

    @Test func trimmingAgreesWithTheCharacterRule() async {
        await propertyCheck(count: 3000, input: Gen.int(in: 0...200).array(of: 0...8)) { picks in
            let text = Self.text(picks)
            #expect(text.trimmingSpaces() == Self.characterTrimmed(text), "\(Array(text.unicodeScalars))")
            #expect(text.trimmingSpaces().utf8.elementsEqual(Self.characterTrimmed(text).utf8))
        }
    }

    @Test func droppingTheSchemeAgreesWithHasPrefix() async {
        await propertyCheck(count: 3000, input: Gen.int(in: 0...200).array(of: 0...6), Gen.int(in: 0...2)) {
            picks, which in
            let scheme = ["tel", "whatsapp", "mailto"][which]
            let text = Self.text(picks)
            let expected = text.hasPrefix("\(scheme):") ? String(text.dropFirst(scheme.count + 1)) : text
            let dropped = PatchBuilder.droppingScheme(scheme, from: text)
            #expect(dropped.utf8.elementsEqual(expected.utf8), "\(scheme) \(Array(text.unicodeScalars))")
        }
    }

    @Test func spottingADatetimeAgreesWithTheIndexRule() async {
        let alphabet = Array("0123456789-T: Z.+é".unicodeScalars)
        await propertyCheck(count: 3000, input: Gen.int(in: 0...200).array(of: 0...30)) { picks in
            var text = String.UnicodeScalarView()
            for pick in picks { text.append(alphabet[pick % alphabet.count]) }
            let string = String(text)
            let utf8 = string.utf8
            func byte(_ offset: Int) -> UInt8 { utf8[utf8.index(utf8.startIndex, offsetBy: offset)] }
            let expected =
                utf8.count >= 16 && byte(0).isASCIIDigit && byte(3).isASCIIDigit && byte(4) == UInt8(ascii: "-")
                && byte(7) == UInt8(ascii: "-") && byte(10) == UInt8(ascii: "T")
            #expect(Timestamp.looksLikeDateTime(string) == expected, "\(string)")
        }
    }

    @Test(arguments: [
        ("+5582", "tel", "+5582"), ("tel:+5582", "tel", "+5582"), ("tel", "tel", "tel"),
        ("te\u{301}l:1", "tel", "te\u{301}l:1"),
        ("mailto:a@b.c", "mailto", "a@b.c"), ("whatsapp:55", "tel", "whatsapp:55"),
    ])
    func knownSchemes(text: String, scheme: String, expected: String) {
        #expect(PatchBuilder.droppingScheme(scheme, from: text) == expected)
    }
}
