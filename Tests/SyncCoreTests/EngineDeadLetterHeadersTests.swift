import PropertyBased
import Testing

@testable import SyncCore

@Suite struct EngineDeadLetterHeadersTests {
    static func info(
        body: String? = "{\"urns\":[\"taken\"]}", status: Int? = 400, replayCount: Int = 0, eventID: String? = "evt-1"
    ) -> DeadLetterInfo {
        DeadLetterInfo(
            sourceTopic: "customers", sourcePartition: 2, sourceOffset: 41, stage: "apply", reason: "urn_conflict",
            message: "URN belongs to another contact", attempts: 3, firstFailureMs: 1_000, lastFailureMs: 2_500,
            platformStatus: status, platformBody: body, instanceID: "worker-a", eventID: eventID,
            replayCount: replayCount)
    }

    static func value(_ headers: [InboundRecord.Header], _ name: String) -> String? {
        headers.first { $0.name == name }?.value.map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func writesConnectAndOwnHeaders() {
        let headers = Self.info().headers(keeping: [])
        let expected: [(String, String)] = [
            ("__connect.errors.topic", "customers"), ("__connect.errors.partition", "2"),
            ("__connect.errors.offset", "41"),
            ("__connect.errors.stage", "apply"), ("__connect.errors.exception.class.name", "contactsync.urn_conflict"),
            ("__connect.errors.exception.message", "URN belongs to another contact"),
            ("contactsync.reason", "urn_conflict"),
            ("contactsync.attempts", "3"), ("contactsync.first_failure_at", "1000"),
            ("contactsync.last_failure_at", "2500"),
            ("contactsync.platform_status", "400"), ("contactsync.platform_body", "{\"urns\":[\"taken\"]}"),
            ("contactsync.instance_id", "worker-a"), ("contactsync.event_id", "evt-1"),
        ]
        #expect(headers.map(\.name) == expected.map(\.0))
        #expect(headers.map { String(decoding: $0.value ?? [], as: UTF8.self) } == expected.map(\.1))
    }

    @Test func optionalHeadersAreLeftOutWhenAbsent() {
        let headers = Self.info(body: nil, status: nil, replayCount: 0, eventID: nil).headers(keeping: [])
        for name in [
            "contactsync.platform_status", "contactsync.platform_body", "contactsync.event_id",
            "contactsync.replay_count",
        ] {
            #expect(Self.value(headers, name) == nil, "\(name)")
        }
        #expect(Self.value(Self.info(replayCount: 2).headers(keeping: []), "contactsync.replay_count") == "2")
    }

    @Test func keepsOriginalHeadersAndReplacesEarlierDeadLetterOnes() {
        let original: [InboundRecord.Header] = [
            .init(name: "traceparent", value: Array("00-abc-01".utf8)),
            .init(name: "contactsync.reason", value: Array("old".utf8)),
            .init(name: "__connect.errors.topic", value: Array("older".utf8)),
            .init(name: "contactsync.replayed_from", value: Array("dlq[0]@3".utf8)),
            .init(name: "empty", value: nil),
        ]
        let headers = Self.info().headers(keeping: original)
        #expect(Array(headers.prefix(3).map(\.name)) == ["traceparent", "contactsync.replayed_from", "empty"])
        #expect(headers.filter { $0.name == "contactsync.reason" }.count == 1)
        #expect(Self.value(headers, "contactsync.reason") == "urn_conflict")
        #expect(Self.value(headers, "__connect.errors.topic") == "customers")
        #expect(headers.filter { $0.name == "__connect.errors.topic" }.count == 1)
    }

    @Test(arguments: [
        String(repeating: "x", count: 5_000), String(repeating: "é", count: 3_000),
        "a" + String(repeating: "é", count: 3_000),
    ])
    func platformBodyIsCutToTheLimitWithoutBreakingCharacters(_ body: String) {
        let cut = Self.value(Self.info(body: body).headers(keeping: []), "contactsync.platform_body") ?? ""
        #expect(cut.utf8.count <= DeadLetterInfo.maxBody)
        #expect(cut.utf8.count >= DeadLetterInfo.maxBody / 2)
        #expect(!cut.contains("\u{FFFD}"))
        #expect(body.hasPrefix(String(cut.prefix(while: { $0 == "x" || $0 == "é" || $0 == "a" }))))
        #expect(cut.prefix(while: { $0 == "x" || $0 == "é" || $0 == "a" }).utf8.count >= DeadLetterInfo.maxBody / 2)
    }

    @Test func roundTripsThroughHeaders() async {
        let text = Gen<Int>.value(in: 0...(Array("az :-_\"é{}").count - 1)).array(of: 0...20).map {
            String($0.map { Array("az :-_\"é{}")[$0] })
        }
        await propertyCheck(
            count: 300, input: text, Gen<Int>.value(in: 0...10), Gen<Int>.value(in: -1...599), Gen.bool,
            Gen<Int>.value(in: 0...3)
        ) { message, attempts, status, hasEvent, replays in
            let info = DeadLetterInfo(
                sourceTopic: "t-\(message.count)", sourcePartition: Int32(attempts), sourceOffset: Int64(status + 1),
                stage: hasEvent ? "apply" : "decode", reason: "r\(attempts)", message: message, attempts: attempts,
                firstFailureMs: Int64(status), lastFailureMs: Int64(status) + 7,
                platformStatus: status < 0 ? nil : status,
                platformBody: status < 0 ? nil : message, instanceID: "i", eventID: hasEvent ? message : nil,
                replayCount: replays)
            #expect(DeadLetterInfo(headers: info.headers(keeping: [.init(name: "x", value: [1])])) == info)
        }
    }

    @Test func headersWithoutADeadLetterAreNotOne() {
        #expect(DeadLetterInfo(headers: [.init(name: "contactsync.reason", value: Array("x".utf8))]) == nil)
    }

    @Test(arguments: [
        ("__connect.errors.anything", true), ("contactsync.reason", true), ("contactsync.replayed_at", true),
        ("contactsync.replay_count", true), ("traceparent", false), ("contactsync.other", false),
    ])
    func recognisesDeadLetterHeaders(_ name: String, _ expected: Bool) {
        #expect(DeadLetterInfo.isDeadLetterHeader(name) == expected)
    }
}
