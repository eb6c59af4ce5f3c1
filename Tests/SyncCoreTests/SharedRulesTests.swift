import Testing

@testable import SyncCore

@Suite struct URNTests {
    @Test(
        arguments: [
            ("tel:+55 82 9933-1122", nil, "tel:+558299331122"),
            ("tel:0082 99331122", nil, "tel:+8299331122"),
            ("tel:082 9933 1122", "55", "tel:+558299331122"),
            ("TEL:(250) 788-123-123", nil, "tel:+250788123123"),
            ("whatsapp:+55 82 99331122", nil, "whatsapp:558299331122"),
            ("mailto:John.Dalton@Example.COM", nil, "mailto:john.dalton@example.com"),
            ("ext: cus_123 ", nil, "ext:cus_123"),
        ] as [(String, String?, String)])
    func normalises(input: String, country: String?, expected: String) throws {
        #expect(try URN(parsing: input, defaultCountryCode: country).description == expected)
    }

    @Test(arguments: [
        "foo", "tel:", "ext:   ", "nosuch:abc", "tel:12ab34", "tel:123", "whatsapp:55-abc",
        "mailto:nobody", "mailto:a@b", "tel:+1234567890123456",
    ])
    func refuses(input: String) {
        #expect(throws: URNError.self) { try URN(parsing: input) }
    }
}

@Suite struct LanguageTests {
    @Test func knowsTheFullTable() {
        #expect(Language.codes.count == 7_910, "the whole iso_639-3.json of iso-codes")
        for code in ["por", "eng", "kin", "yue", "zza"] { #expect(Language.isValid(code), "\(code)") }
        for code in ["pt", "en", "xxx", "POR", "portuguese", ""] { #expect(!Language.isValid(code), "\(code)") }
    }
}

@Suite struct FieldKeyTests {
    @Test(arguments: [
        ("Nick name", "nick_name"), ("Signup  Date!", "signup_date"), ("--Plan--", "plan"),
        ("Lead status", "lead_status"), (String(repeating: "a", count: 40), String(repeating: "a", count: 36)),
    ])
    func derivesKeys(label: String, key: String) {
        #expect(FieldKey.key(forLabel: label) == key)
    }

    @Test func judgesLabels() {
        #expect(FieldKey.problem(withLabel: "Nick name") == nil)
        #expect(FieldKey.problem(withLabel: "Name")?.contains("reserved") == true)
        #expect(FieldKey.problem(withLabel: "") != nil)
        #expect(FieldKey.problem(withLabel: "a*b") != nil)
        #expect(FieldKey.problem(withLabel: "123") != nil)
        #expect(FieldKey.problem(withLabel: String(repeating: "x", count: 37)) != nil)
    }
}
