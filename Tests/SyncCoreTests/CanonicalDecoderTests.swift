import Testing

@testable import SyncCore

@Suite struct CanonicalDecoderTests {
    let decoder = EventDecoder(configuration: DecoderConfiguration(defaultCountryCode: "55"))

    /// The type switch and the list rejections quote must name the same types.
    @Test func everyKnownTypeSplitsAtItsDot() {
        for type in EventDecoder.knownTypes {
            let parts = type.split(separator: ".", maxSplits: 1).map(String.init)
            #expect(EventDecoder.eventType(type).map { [$0.family, $0.verb] } == parts, "\(type)")
        }
        #expect(EventDecoder.eventType("customer.merged") == nil && EventDecoder.eventType("Customer.updated") == nil)
    }

    @Test func theSpecsExampleBecomesAFullUpsert() throws {
        let outcome = decoder.decode(
            record(
                "customers", json: try exampleText("canonical-customer.json"),
                headers: [
                    .init(
                        name: "traceparent",
                        value: Array("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".utf8))
                ]))
        let change = try #require(outcome.change)
        #expect(change.entityKey == "ext:cus_123")
        #expect(change.version == .sequence(42))
        #expect(change.eventID == "01JDW3F6Q9M3X8Z2C5B7N1K4T0")
        #expect(change.traceparent?.hasPrefix("00-4bf92f") == true)
        let patch = try #require(outcome.patch)
        #expect(patch.name == .set("John Cordeiro"))
        #expect(patch.language == .set("por"))
        #expect(patch.phone == .set(try URN(parsing: "tel:+558299331122")))
        #expect(patch.whatsapp == .set(try URN(parsing: "whatsapp:558299331122")))
        #expect(patch.email == .set(try URN(parsing: "mailto:john.dalton@example.com")))
        #expect(patch.groups == .set(["Customers", "VIP"]))
        #expect(patch.fields["plan"] == .set(.text("gold")))
        #expect(patch.fields["signup_date"] == .set(.datetime("2026-01-31T09:27:39.071-03:00")))
        #expect(patch.fields["score"] == .set(.number("12.5")))
    }

    @Test func onlyPresentMembersChangeAndNullClears() throws {
        let patch = try #require(
            decoder.decode(record(json: canonical(data: #"{"id": "c1", "name": null, "fields": {"plan": null}}"#)))
                .patch)
        #expect(patch == ContactPatch(name: .clear, fields: ["plan": .clear]))
    }

    @Test func withoutAVersionOccurredAtOrders() throws {
        let change = try #require(decoder.decode(record(json: canonical(version: nil, data: #"{"id": "c1"}"#))).change)
        #expect(change.version == .timestamp(1_795_515_300_123))
    }

    @Test(arguments: [("customer.deleted", "ext:c9"), ("lead.deleted", "ext:lead-c9")])
    func deletesNeedOnlyTheID(type: String, urn: String) throws {
        let change = try #require(decoder.decode(record(json: canonical(type: type, data: #"{"id": "c9"}"#))).change)
        #expect(change.action == .delete)
        #expect(change.entityKey == urn)
    }

    @Test func leadStatusLandsInTheConfiguredField() throws {
        let custom = EventDecoder(configuration: DecoderConfiguration(leadStatusField: "stage"))
        let outcome = custom.decode(
            record("leads", json: canonical(type: "lead.status_changed", data: #"{"id": 42, "status": "qualified"}"#)))
        #expect(outcome.change?.entityKey == "ext:lead-42")
        #expect(outcome.patch?.fields == ["stage": .set(.text("qualified"))])
    }

    @Test func prefixesComeFromTheTopicRuleFirst() throws {
        var configuration = DecoderConfiguration()
        configuration.topics["vip"] = .init(format: .canonical, extPrefix: "vip-")
        let change = try #require(
            EventDecoder(configuration: configuration).decode(record("vip", json: canonical(data: #"{"id": "7"}"#)))
                .change)
        #expect(change.extURN.description == "ext:vip-7")
    }

    @Test(arguments: [
        ("{not json", Rejection.Reason.malformedJSON, "not JSON"),
        ("[1,2]", .malformedJSON, "object"),
        (
            #"{"type": "customer.updated", "occurred_at": "2026-11-24T10:15:00Z", "data": {"id": "1"}}"#,
            .missingMember, "/id"
        ),
        (#"{"id": "e", "occurred_at": "2026-11-24T10:15:00Z", "data": {"id": "1"}}"#, .missingMember, "/type"),
        (
            #"{"id": "e", "type": "customer.exploded", "occurred_at": "2026-11-24T10:15:00Z", "data": {"id": "1"}}"#,
            .unknownType, "customer.exploded"
        ),
        (#"{"id": "e", "type": "customer.updated", "data": {"id": "1"}}"#, .missingMember, "/occurred_at"),
        (
            #"{"id": "e", "type": "customer.updated", "occurred_at": "yesterday", "data": {"id": "1"}}"#,
            .invalidVersion, "RFC 3339"
        ),
        (
            #"{"id": "e", "type": "customer.updated", "occurred_at": "2026-11-24T10:15:00Z", "version": "x", "data": {"id": "1"}}"#,
            .invalidVersion, "/version"
        ),
        (
            #"{"id": "e", "type": "customer.updated", "occurred_at": "2026-11-24T10:15:00Z", "data": {"name": "x"}}"#,
            .missingMember, "/data/id"
        ),
        (#"{"id": "e", "type": "customer.updated", "occurred_at": "2026-11-24T10:15:00Z"}"#, .missingMember, "/data"),
    ])
    func envelopeRejections(json: String, reason: Rejection.Reason, mentions: String) throws {
        let rejection = try #require(decoder.decode(record(json: json)).rejection)
        #expect(rejection.reason == reason)
        #expect(rejection.message.contains(mentions), "\(rejection.message)")
    }

    @Test(arguments: [
        (#"{"id": "1", "phone": "12ab"}"#, Rejection.Reason.invalidURN, "/data/phone"),
        (#"{"id": "1", "whatsapp": "+55 abc"}"#, .invalidURN, "/data/whatsapp"),
        (#"{"id": "1", "email": "nobody"}"#, .invalidURN, "/data/email"),
        (#"{"id": "  "}"#, .missingMember, "/data/id"),
        (#"{"id": "1", "language": "pt"}"#, .invalidLanguage, "/data/language"),
        (#"{"id": "1", "language": "xxx"}"#, .invalidLanguage, "ISO 639-3"),
        (#"{"id": "1", "name": "\#(String(repeating: "n", count: 65))"}"#, .invalidName, "64"),
        (#"{"id": "1", "groups": "VIP"}"#, .invalidGroup, "/data/groups"),
        (#"{"id": "1", "groups": [" VIP"]}"#, .invalidGroup, "item 0 of data.groups"),
        (#"{"id": "1", "fields": {"plan": {"tier": 1}}}"#, .invalidFieldValue, "data.fields.plan"),
        (#"{"id": "1", "fields": {"signup": "2026-01-31T25:00:00"}}"#, .invalidFieldValue, "ISO 8601"),
        (#"{"id": "1", "fields": {"Name": "x"}}"#, .invalidFieldLabel, "reserved"),
        (#"{"id": "1", "groups": [\#((0...100).map { "\"g\($0)\"" }.joined(separator: ","))]}"#, .tooMany, "101"),
    ])
    func memberRejectionsNameTheMember(data: String, reason: Rejection.Reason, mentions: String) throws {
        let rejection = try #require(decoder.decode(record(json: canonical(data: data))).rejection)
        #expect(rejection.reason == reason)
        #expect(rejection.message.contains(mentions), "\(rejection.message)")
    }

    @Test func unlistedTopicsCanBeRefused() throws {
        let strict = EventDecoder(configuration: DecoderConfiguration(unlistedFormat: nil))
        #expect(
            strict.decode(record("elsewhere", json: canonical(data: #"{"id": "1"}"#))).rejection?.reason
                == .unmappedTopic)
    }

    @Test func aNullValueOnACanonicalTopicIsRejectedNotSkipped() {
        #expect(decoder.decode(record(json: nil)).rejection?.reason == .malformedJSON)
    }
}
