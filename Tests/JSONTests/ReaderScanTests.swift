import PropertyBased
import Testing

@testable import JSON

/// The reader's word-at-a-time shortcuts against the byte-by-byte rules they skip ahead of.
@Suite struct ReaderScanTests {
    /// Bytes weighted towards the ones that end a plain run, and their neighbours.
    static let bytes: [UInt8] = [
        0x00, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7E, 0x7F, 0x80, 0xC3, 0xFF, 0x01, 0x41, 0x61, 0x30,
    ]

    static func isPlain(_ byte: UInt8) -> Bool { byte >= 0x20 && byte < 0x80 && byte != 0x22 && byte != 0x5C }

    @Test func plainWordsEndStopsAtTheFirstWordHoldingASpecialByte() async {
        // Mostly plain letters, so long plain runs (and whole plain words) come up often.
        await propertyCheck(count: 5000, input: Gen.int(in: 0...80).array(of: 0...40), Gen.int(in: 0...8)) {
            picks, start in
            let input = picks.map { $0 < Self.bytes.count ? Self.bytes[$0] : UInt8(0x41 + $0 % 26) }
            let from = min(start, input.count)
            let end = input.withUnsafeBufferPointer { ReaderScan.plainWordsEnd($0, from: from) }
            #expect((end - from) % 8 == 0 && end <= input.count)
            #expect(input[from..<end].allSatisfy(Self.isPlain), "\(input) from \(from)")
            // It stops only at a word with a special byte, or with fewer than 8 bytes left.
            #expect(input.count - end < 8 || !input[end..<end + 8].allSatisfy(Self.isPlain), "\(input) from \(from)")
        }
    }

    @Test func hasSpecialByteAgreesWithTheByteRule() async {
        await propertyCheck(count: 5000, input: Gen.int(in: 0...255).array(of: 8...8)) { picks in
            let word = picks.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) }
            #expect(ReaderScan.hasSpecialByte(word) == !picks.allSatisfy { Self.isPlain(UInt8($0)) }, "\(picks)")
        }
    }

    @Test func asciiStringEqualsDecoding() async {
        await propertyCheck(count: 2000, input: Gen.int(in: 0...127).array(of: 0...40)) { picks in
            let input = picks.map(UInt8.init)
            let text = input.withUnsafeBufferPointer(ReaderScan.asciiString)
            #expect(text == String(decoding: input, as: UTF8.self))
            #expect(Array(text.utf8) == input)
        }
    }
}
