import JSON
import Testing

@Suite struct JSONReaderTests {
    func parse(_ text: String, maxDepth: Int = JSON.defaultMaxDepth) throws(JSONParseError) -> JSON {
        try JSON.parse(Array(text.utf8), maxDepth: maxDepth)
    }

    @Test(
        arguments: [
            ("null", .null),
            (" true ", true),
            ("\tfalse\r\n", false),
            ("0", .number("0")),
            ("-0", .number("-0")),
            // Numbers keep their text: exact past 2^53 and past Int64, fractions and exponents as written.
            ("9223372036854775807", .number("9223372036854775807")),
            ("18446744073709551616123", .number("18446744073709551616123")),
            ("12.50", .number("12.50")),
            ("-1.5E+07", .number("-1.5E+07")),
            ("1e-3", .number("1e-3")),
            (#""""#, ""),
            (#""plain ascii""#, "plain ascii"),
            (#""ção 😀""#, "ção 😀"),
            (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{8}\u{C}\n\r\t"),
            (#""\u00e9\u00C9\u0000\u001f""#, "éÉ\u{0}\u{1F}"),
            (#""\ud83d\ude00 and \uD834\uDD1E""#, "😀 and 𝄞"),
            (#""tail \u2028""#, "tail \u{2028}"),
            ("[]", []),
            ("[1, [2, []], {}]", [1, [2, []], [:]]),
            (#"{"a": null, "b": [true]}"#, ["a": nil, "b": [true]]),
        ] as [(String, JSON)])
    func readsValues(text: String, expected: JSON) throws {
        #expect(try parse(text) == expected)
    }

    @Test func objectsKeepMemberOrderAndDuplicates() throws {
        let value = try parse(#"{"z": 1, "a": 2, "m": 3, "a": 4}"#)
        #expect(value.memberNames == ["z", "a", "m", "a"])
        #expect(value["a"] == 2)
        #expect(value.serialized() == #"{"z":1,"a":2,"m":3,"a":4}"#)
    }

    @Test(arguments: [
        ("", 0, "unexpected end of input"),
        ("   ", 3, "unexpected end of input"),
        ("nul", 0, "unexpected end of input"),
        ("nulL", 0, "unexpected character"),
        ("{\"a\" 1}", 5, "expected ':'"),
        ("{\"a\": 1,}", 8, "expected a member name"),
        ("{1: 2}", 1, "expected a member name"),
        ("[1 2]", 3, "expected ',' or ']'"),
        ("{\"a\": 1 \"b\"}", 8, "expected ',' or '}'"),
        ("[1,]", 3, "unexpected character"),
        ("01", 1, "leading zeros are not JSON"),
        ("1 2", 2, "unexpected text after the JSON value"),
        ("-", 1, "expected digits"),
        ("-012", 2, "leading zeros are not JSON"),
        ("+1", 0, "unexpected character"),
        ("1.", 2, "expected digits after '.'"),
        (".5", 0, "unexpected character"),
        ("1e", 2, "expected exponent digits"),
        ("NaN", 0, "unexpected character"),
        ("\"open", 5, "unterminated string"),
        ("\"tab\there\"", 4, "control character in a string"),
        ("\"\\x\"", 3, "invalid escape"),
        ("\"\\u12G4\"", 6, "invalid \\u escape"),
        ("\"\\ud83d alone\"", 7, "unpaired surrogate"),
        ("\"\\ude00\"", 7, "unpaired surrogate"),
        ("\"\\ud83d\\u0041\"", 13, "unpaired surrogate"),
    ])
    func refusesWithTheOffsetOfTheProblem(text: String, offset: Int, problem: String) {
        #expect(throws: JSONParseError(offset: offset, problem: problem)) { try parse(text) }
    }

    @Test func refusesInvalidUTF8InStrings() {
        for bytes: [UInt8] in [
            [0x22, 0xC3, 0x28, 0x22], [0x22, 0x5C, 0x6E, 0xFF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22],
        ] {
            #expect(throws: JSONParseError.self) { try JSON.parse(bytes) }
        }
    }

    @Test func nestingIsBoundedByMaxDepth() throws {
        let deep = { (levels: Int) in String(repeating: "[", count: levels) + String(repeating: "]", count: levels) }
        #expect(throws: JSONParseError(offset: 64, problem: "nested deeper than 64 levels")) { try parse(deep(65)) }
        _ = try parse(deep(64))
        #expect(try parse(deep(300), maxDepth: 512).serialized() == deep(300))
    }

    @Test(arguments: [
        ("", #"{"a":{"b/c":[10,{"~x":true}]},"":0}"#),
        ("/a/b~1c/1/~0x", "true"),
        ("/a/b~1c/0", "10"),
        ("/", "0"),
        ("/a/b~1c/2", nil),
        ("/a/b~1c/-1", nil),
        ("/a/missing", nil),
        ("/a/b~1c/0/deeper", nil),
        ("a", nil),
    ])
    func pointersFollowRFC6901(pointer: String, expected: String?) throws {
        let document = try parse(#"{"a": {"b/c": [10, {"~x": true}]}, "": 0}"#)
        #expect(document.at(pointer: pointer)?.serialized() == expected)
    }

    @Test func accessorsReadScalars() throws {
        let row = try parse(#"{"id": 42, "name": "Ana", "vip": false, "note": null, "tags": []}"#)
        #expect(row["id"]?.scalarText == "42")
        #expect(row["name"]?.scalarText == "Ana" && row["name"]?.string == "Ana")
        #expect(row["vip"]?.scalarText == "false")
        #expect(row["note"]?.isNull == true && row["note"]?.scalarText == nil)
        #expect(row["tags"]?.scalarText == nil && row["tags"]?.string == nil)
        #expect(row["absent"] == nil && row.string == nil)
        #expect(JSON.string("x")["x"] == nil && JSON.string("x").memberNames.isEmpty)
    }

    @Test func objectEqualityIgnoresMemberOrderOnly() {
        let a: JSON = ["x": 1, "y": [true, nil]]
        #expect(a == ["y": [true, nil], "x": 1])
        #expect(a != ["x": 1, "y": [nil, true]])
        #expect(a != ["x": 1])
        #expect(JSON.object([("k", 1), ("k", 1)]) != .object([("k", 1), ("j", 1)]))
        #expect(JSON.number("1") != .number("1.0"))
    }
}
