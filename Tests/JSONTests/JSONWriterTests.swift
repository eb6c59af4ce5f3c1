import JSON
import Testing

@Suite struct JSONWriterTests {
    @Test(
        arguments: [
            (.null, "null"),
            (true, "true"),
            (false, "false"),
            (0, "0"),
            (-9_223_372_036_854_775_808, "-9223372036854775808"),
            (.number("12.50"), "12.50"),
            (.number("1E+400"), "1E+400"),
            ("", #""""#),
            ([], "[]"),
            ([:], "{}"),
            ([1, "a", nil, [false]], #"[1,"a",null,[false]]"#),
            (["b": 1, "a": ["c": nil]], #"{"b":1,"a":{"c":null}}"#),
        ] as [(JSON, String)])
    func writesCompactText(value: JSON, expected: String) {
        #expect(value.serialized() == expected)
        #expect(value.serializedBytes() == Array(expected.utf8))
    }

    /// Python's `json.dumps(..., ensure_ascii=False)` (what Django REST framework writes) escapes
    /// exactly these; `/`, DEL, U+2028 and non-BMP scalars go out as their UTF-8 bytes.
    @Test(arguments: [
        ("plain", #""plain""#),
        ("say \"hi\"", #""say \"hi\"""#),
        ("C:\\dir", #""C:\\dir""#),
        ("a/b", #""a/b""#),
        ("\u{8}\u{C}\n\r\t", #""\b\f\n\r\t""#),
        ("\u{0}\u{1}\u{1B}[31m\u{1F}", #""\u0000\u0001\u001b[31m\u001f""#),
        ("\u{7F}\u{85}\u{2028}", "\"\u{7F}\u{85}\u{2028}\""),
        ("ção", "\"ção\""),
        ("😀𝄞\u{10FFFF}", "\"😀𝄞\u{10FFFF}\""),
        ("e\u{301}", "\"e\u{301}\""),
    ])
    func escapesStrings(text: String, expected: String) throws {
        #expect(JSON.quoted(text) == expected)
        #expect(JSON.string(text).serialized() == expected)
        #expect(Array(JSON.quoted(text).utf8) == Array(expected.utf8))
        #expect(try JSON.parse(Array(expected.utf8)) == .string(text))
    }

    @Test func sortedKeysOrdersEveryObjectAndKeepsEqualNamesAsTheyCame() {
        let value: JSON = .object([
            ("zeta", 1), ("_x", 2), ("Alpha", 3), ("alpha", .object([("b", 1), ("a", 2)])), ("é", 4), ("alpha", 5),
        ])
        #expect(
            value.serialized(.sortedKeys) == #"{"Alpha":3,"_x":2,"alpha":{"a":2,"b":1},"alpha":5,"zeta":1,"é":4}"#)
        #expect(value.serialized() == #"{"zeta":1,"_x":2,"Alpha":3,"alpha":{"b":1,"a":2},"é":4,"alpha":5}"#)
    }
}
