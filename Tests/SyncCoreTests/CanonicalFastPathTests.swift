import PropertyBased
import Testing

@testable import SyncCore

/// The canonical decoder's fast path (members read straight from the bytes) must give exactly
/// what the general path (the JSON tree) gives: the same change, or, for anything it does not
/// take, the general path's own outcome and rejection.
@Suite struct CanonicalFastPathTests {
    let decoder = EventDecoder(
        configuration: try! DecoderConfiguration(mappingYAML: try! exampleText("mappings.yaml"), file: "mappings.yaml"))

    func expectSameOutcome(_ topic: String, _ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        let record = InboundRecord(
            topic: topic, partition: 0, offset: 1, key: nil, value: bytes,
            headers: [InboundRecord.Header(name: "traceparent", value: Array("00-ab-cd-01".utf8))])
        let fast = decoder.decode(record, fastPath: true)
        let general = decoder.decode(record, fastPath: false)
        #expect(fast == general, "\(String(decoding: bytes, as: UTF8.self))", sourceLocation: sourceLocation)
    }

    static let ids = [
        #""evt-1""#, "12", "true", "null", #""""#, "{}", "[1]", #"" ""#, #""e\u0031""#, #""évt""#,
        "\"" + String(repeating: "x", count: 600) + "\"",
    ]
    static let types = [
        #""customer.created""#, #""customer.updated""#, #""customer.deleted""#, #""lead.created""#,
        #""lead.updated""#, #""lead.status_changed""#, #""lead.deleted""#, #""customer.Updated""#, "5", "null",
        #""cust\u006fmer.updated""#, #""customer.updatéd""#, #""customer.updated ""#,
    ]
    static let times = [
        #""2026-11-24T10:15:00.123Z""#, #""2026-11-24T10:15:00+02:00""#, #""2026-13-01T00:00:00Z""#,
        #""2026-11-24T10:15:00""#, "5", "null", #""2026-11-24T10:15:00.1Z""#,
    ]
    static let versions = [
        "42", "-1", "1.5", "1e3", "null", #""42""#, "99999999999999999999", "-0", "0", "9223372036854775807",
    ]
    static let dataIDs = [#""cus_1""#, #"" cus 1 ""#, #""""#, "7", "null", "[1]", "true", #""a:b""#, #""çus""#]
    static let names = [
        #""John Cordeiro""#, "null", "5", #""  ""#, "\"" + String(repeating: "n", count: 70) + "\"", #""João""#,
        #""Jo\"ão""#, "true",
    ]
    static let languages = [#""por""#, #""xx""#, "null", #""POR""#, "3"]
    static let phones = [
        #""+558299331122""#, #""tel:+558299331122""#, #""abc""#, "null", #""""#, "8299331122", #"" +55 82 9933-1122 ""#,
    ]
    static let whatsapps = [#""558299331122""#, #""whatsapp:558299331122""#, #""+55""#, "null"]
    static let emails = [#""john@example.com""#, #""MAILTO:a@b.io""#, #""bad""#, "null", #""A@B.IO""#]
    static let groups = [
        #"["Customers", "VIP"]"#, #"["a", "A"]"#, "[]", "null", #""x""#, #"[" a"]"#, "[1]", #"["Ümlaut"]"#,
        #"[ "a" ,"b" ]"#, "[ ]", #"[["x"], {"y": 1}]"#,
        "[" + (0...100).map { "\"g\($0)\"" }.joined(separator: ",") + "]",
    ]
    static let fields = [
        #"{"plan": "gold"}"#, #"{"Signup Date": "2026-01-31T09:27:39.071-03:00"}"#, #"{"score": 12.5}"#,
        #"{"x": 1e999999}"#, #"{"a": true, "b": false}"#, #"{"a": [1]}"#, "null", #""x""#, #"{"id": "reserved"}"#,
        #"{"plan": "gold", "plan": "silver"}"#, #"{"when": "2026-01-31T09:27"}"#, #"{"when": "2026-02-31T09:27:00Z"}"#,
        #"{"1abc": "x"}"#, #"{"": "x"}"#, #"{"note": ""}"#, #"{"note": null}"#, #"{"Plan": "a", "plan": "b"}"#,
        #"{"é": "x"}"#, #"{"a\u0062": "x"}"#, "{}",
        "{" + (0...100).map { "\"f\($0)\": \($0)" }.joined(separator: ",") + "}",
    ]
    static let statuses = [#""won""#, "null", "5", "{}", #""""#]
    static let extras = [
        #"{"deep": [1, 2, {"x": null}]}"#, "[]", "-0.5e+7", #""\ud83d\ude00""#, #""\ud83d""#, "01", "1.", "-",
        "tru", "nul", #""\u00""#, String(repeating: "[", count: 70) + String(repeating: "]", count: 70),
        String(repeating: "[", count: 60) + String(repeating: "]", count: 60),
    ]
    static let separators = [", ", ",", " ,\n\t", "\r\n,  "]

    /// An envelope from picks: which members, which values, duplicates and order as picked.
    static func event(_ picks: [Int], _ separator: String) -> String {
        func pick(_ list: [String], _ n: Int) -> String { list[n % list.count] }
        var top: [String] = []
        var data: [String] = []
        for (position, n) in picks.enumerated() {
            let value = n / 16
            switch n % 16 {
            case 0: top.append(#""id": \#(pick(ids, value))"#)
            case 1: top.append(#""type": \#(pick(types, value))"#)
            case 2: top.append(#""occurred_at": \#(pick(times, value))"#)
            case 3: top.append(#""version": \#(pick(versions, value))"#)
            case 4: top.append(#""source": \#(pick(extras, value))"#)
            case 5: data.append(#""id": \#(pick(dataIDs, value))"#)
            case 6: data.append(#""name": \#(pick(names, value))"#)
            case 7: data.append(#""language": \#(pick(languages, value))"#)
            case 8: data.append(#""phone": \#(pick(phones, value))"#)
            case 9: data.append(#""whatsapp": \#(pick(whatsapps, value))"#)
            case 10: data.append(#""email": \#(pick(emails, value))"#)
            case 11: data.append(#""groups": \#(pick(groups, value))"#)
            case 12: data.append(#""fields": \#(pick(fields, value))"#)
            case 13: data.append(#""status": \#(pick(statuses, value))"#)
            case 14: data.append(#""extra": \#(pick(extras, value))"#)
            default: if position % 2 == 0 { top.append(#""data": \#(pick(extras + ids, value))"#) }
            }
        }
        top.append(#""data": {\#(data.joined(separator: separator))}"#)
        return "{" + top.joined(separator: separator) + "}"
    }

    /// Mostly well-formed envelopes with every member usually present: the fast path's ground.
    static let usual: [Int] = [0, 1 + 16, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12]

    @Test func fastAndGeneralPathsAgreeOnRandomEnvelopes() async {
        await propertyCheck(
            count: 3000, input: Gen.int(in: 0...400).array(of: 0...14), Gen.int(in: 0...3), Gen.int(in: 0...1)
        ) { picks, separator, topic in
            // Half the runs start from a complete event, so that most reach the builder's rules.
            let all = (picks.count % 2 == 0 ? Self.usual : []) + picks
            let text = Self.event(all, Self.separators[separator])
            expectSameOutcome(["customers", "leads"][topic], Array(text.utf8))
        }
    }

    @Test func fastAndGeneralPathsAgreeOnMutatedBytes() async {
        let base = Array(Self.event(Self.usual + [13, 4, 14], ", ").utf8)
        await propertyCheck(
            count: 3000, input: Gen.int(in: 0...100_000).array(of: 1...4), Gen.int(in: 0...255), Gen.int(in: 0...2)
        ) { positions, byte, mode in
            var bytes = base
            for position in positions {
                let at = position % bytes.count
                switch mode {
                case 0: bytes[at] = UInt8(byte)
                case 1: bytes.insert(UInt8(byte), at: at)
                default: bytes.removeSubrange(at..<min(bytes.count, at + 1 + byte % 4))
                }
                if bytes.isEmpty { break }
            }
            expectSameOutcome("customers", bytes)
        }
    }

    @Test func fastAndGeneralPathsAgreeOnHostileDocuments() {
        let documents = [
            "", " ", "{", "}", "{}", "[]", "null", "\"x\"", "12", "{\"id\": \"a\"} x", "{\"id\": \"a\",}",
            "\u{FEFF}{}", "{\"i\\u0064\": \"e\"}", "{\"id\" \"e\"}", "{\"id\": \"e\" \"type\": 1}", "{,}",
            "{\"data\": {\"id\": \"x\"}, \"data\": 5}", "{\"data\": 5, \"data\": {\"id\": \"x\"}}",
            "{\"a\": \"\u{1}\"}", "{\"a\": \"tab\there\"}",
        ]
        for document in documents { expectSameOutcome("customers", Array(document.utf8)) }
        // Invalid UTF-8 inside strings, names and values, and a truncated sequence at the end.
        let valid = Array(Self.event(Self.usual, ", ").utf8)
        for bad: [UInt8] in [[0xFF], [0xC3], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xC0, 0xAF]] {
            for at in stride(from: 1, to: valid.count, by: 7) {
                var bytes = valid
                bytes.insert(contentsOf: bad, at: at)
                expectSameOutcome("customers", bytes)
            }
        }
    }

    /// The fast path does take the usual events (else the comparisons above prove little).
    @Test func theFastPathTakesTheUsualEvents() throws {
        let samples = [
            Self.event(Self.usual, ", "), try exampleText("canonical-customer.json"),
            #"{"id": "evt-1", "type": "customer.updated", "occurred_at": "2026-11-24T10:15:00.123Z", "version": 1, "source": "crm", "data": {"id": "cus_1", "name": "John Cordeiro", "language": "por", "phone": "+558299331122", "whatsapp": "558299331122", "email": "john.dalton@example.com", "groups": ["Customers", "VIP"], "fields": {"plan": "gold", "signup_date": "2026-01-31T09:27:39.071-03:00", "score": 12.5}}}"#,
            #"{"id": "evt-2", "type": "lead.status_changed", "occurred_at": "2026-11-24T10:15:00Z", "data": {"id": 42, "name": "Zoë", "status": "won"}}"#,
            #"{"id": "evt-3", "type": "customer.deleted", "occurred_at": "2026-11-24T10:15:00Z", "data": {"id": "c"}}"#,
        ]
        for sample in samples {
            let record = InboundRecord(topic: "leads", key: nil, value: Array(sample.utf8))
            let rule = try #require(decoder.configuration.rule(for: "leads"))
            let fast = decoder.decodeCanonicalFast(Array(sample.utf8), record: record, rule: rule)
            #expect(fast != nil, "\(sample)")
            #expect(fast.map(DecodeOutcome.change) == decoder.decode(record, fastPath: false))
        }
    }
}
