import PropertyBased
import Testing

@testable import SyncCore

/// The byte-level URN rules must give exactly the verdicts of the Character rules they speed up.
@Suite struct URNFastPathTests {
    static let alphabet = Array("0123456789+-() ./a@Ab.\t_".utf8)
    static let countryCodes: [String?] = [nil, "55", "1"]

    static func text(_ picks: [Int]) -> String {
        String(decoding: picks.map { alphabet[$0 % alphabet.count] }, as: UTF8.self)
    }

    /// A rule's verdict as text: the normalised path, or the problem.
    static func verdict(_ rule: () throws -> String) -> String {
        do { return "ok " + (try rule()) } catch let problem as URNProblem {
            return "refused: " + problem.problem
        } catch { return "other \(error)" }
    }

    @Test func telAgreesWithTheCharacterRule() async {
        await propertyCheck(count: 3000, input: Gen.int(in: 0...200).array(of: 1...20), Gen.int(in: 0...2)) {
            picks, code in
            let raw = Self.text(picks)
            let cc = Self.countryCodes[code]
            #expect(
                Self.verdict { try URN.asciiTel(raw, defaultCountryCode: cc) }
                    == Self.verdict { try URN.characterTel(raw, defaultCountryCode: cc) },
                "\(raw) with \(cc ?? "no code")")
        }
    }

    @Test func whatsAppAgreesWithTheCharacterRule() async {
        await propertyCheck(count: 3000, input: Gen.int(in: 0...200).array(of: 1...20)) { picks in
            let raw = Self.text(picks)
            #expect(
                Self.verdict { try URN.asciiWhatsApp(raw) } == Self.verdict { try URN.characterWhatsApp(raw) }, "\(raw)"
            )
        }
    }

    @Test func emailAgreesWithTheCharacterRule() async {
        await propertyCheck(count: 3000, input: Gen.int(in: 0...200).array(of: 1...20)) { picks in
            let raw = Self.text(picks)
            #expect(Self.verdict { try URN.asciiEmail(raw) } == Self.verdict { try URN.characterEmail(raw) }, "\(raw)")
        }
    }

    @Test(arguments: [
        ("+55 (82) 9999-1234", "55", "+558299991234"), ("0082 9999 1234", "55", "+8299991234"),
        ("082 9999-1234", "55", "+558299991234"),
        ("8299991234", nil, "+8299991234"),
    ])
    func knownTelNumbers(raw: String, code: String?, expected: String) throws {
        #expect(try URN.asciiTel(raw, defaultCountryCode: code) == expected)
    }
}
