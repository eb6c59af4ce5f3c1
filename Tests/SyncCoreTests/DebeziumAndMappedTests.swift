import Testing

@testable import SyncCore

@Suite struct DebeziumAndMappedTests {
    let decoder: EventDecoder

    init() throws {
        decoder = EventDecoder(
            configuration: try DecoderConfiguration(
                mappingYAML: try exampleText("mappings.yaml"), file: "mappings.yaml"))
    }

    @Test func theWrappedExampleBecomesAnUpsertThroughTheMapping() throws {
        let outcome = decoder.decode(
            record("crm.public.customers", json: try exampleText("debezium-customers.json"), key: #"{"id": 123}"#))
        let change = try #require(outcome.change)
        #expect(change.entityKey == "ext:cus-123")
        #expect(change.version == .sequence(24_023_128))
        let patch = try #require(outcome.patch)
        #expect(patch.name == .set("John Cordeiro"))
        #expect(patch.phone == .set(try URN(parsing: "tel:+558299331122")), "default country code applied")
        #expect(patch.email == .set(try URN(parsing: "mailto:john.dalton@example.com")))
        #expect(patch.language == .set("por"))
        #expect(patch.fields["plan"] == .set(.text("gold")))
        #expect(patch.fields["signup_date"] == .set(.datetime("2026-01-31T09:27:39.071-03:00")))
    }

    @Test(arguments: ["c", "r", "u"])
    func createReadAndUpdateUpsertFromAfter(op: String) throws {
        let json =
            #"{"before": {"id": 5, "first_name": "Old"}, "after": {"id": 5, "first_name": "New", "last_name": "Name"}, "op": "\#(op)", "ts_ms": 1700000000000}"#
        let outcome = decoder.decode(record("crm.public.customers", json: json))
        #expect(outcome.patch?.name == .set("New Name"))
        #expect(outcome.change?.version == .timestamp(1_700_000_000_000), "ts_ms orders when there is no lsn")
    }

    @Test func deleteUsesBeforeAndTheTombstoneIsSkipped() throws {
        let json = #"{"before": {"id": 5}, "after": null, "op": "d", "ts_ms": 1700000000001, "source": {"lsn": 99}}"#
        let change = try #require(decoder.decode(record("crm.public.customers", json: json)).change)
        #expect(change.action == .delete)
        #expect(change.entityKey == "ext:cus-5")
        #expect(decoder.decode(record("crm.public.customers", json: nil, key: #"{"id": 5}"#)) == .skip(.tombstone))
    }

    @Test func plainDebeziumWithTheDefaultColumnMapping() throws {
        let plain = EventDecoder(
            configuration: DecoderConfiguration(topics: ["db.customers": .init(format: .debezium)]))
        let json =
            #"{"after": {"id": 8, "name": "Ana", "phone": "+250788123123"}, "op": "u", "ts_ms": 1, "source": {"lsn": 3}}"#
        let outcome = plain.decode(record("db.customers", json: json))
        #expect(outcome.change?.entityKey == "ext:8")
        #expect(outcome.patch?.name == .set("Ana"))
        #expect(outcome.patch?.phone == .set(try URN(parsing: "tel:+250788123123")))
    }

    @Test func debeziumRejections() throws {
        #expect(
            decoder.decode(record("crm.public.customers", json: #"{"after": {"id": 1}, "op": "x", "ts_ms": 1}"#))
                .rejection?.reason == .unknownType)
        #expect(
            decoder.decode(record("crm.public.customers", json: #"{"after": {"id": 1}, "ts_ms": 1}"#)).rejection?.reason
                == .missingMember)
        #expect(
            decoder.decode(record("crm.public.customers", json: #"{"after": {"id": 1}, "op": "c"}"#)).rejection?.reason
                == .invalidVersion)
        #expect(
            decoder.decode(
                record("crm.public.customers", json: #"{"after": {"first_name": "x"}, "op": "c", "ts_ms": 1}"#)
            ).rejection?.reason == .missingMember)
    }

    @Test func theLeadWebhookExampleMapsEveryMember() throws {
        let outcome = decoder.decode(record("crm.lead-webhooks", json: try exampleText("crm-lead-webhook.json")))
        let change = try #require(outcome.change)
        #expect(change.entityKey == "ext:lead-42")
        #expect(change.eventID == "wh_01JDX8")
        #expect(change.version == .timestamp(1_795_515_300_000))
        let patch = try #require(outcome.patch)
        #expect(patch.name == .set("Maria Souza"))
        #expect(patch.phone == .set(try URN(parsing: "tel:+5582988887777")))
        #expect(patch.groups == .set(["Leads", "Webinar 2026"]))
        #expect(patch.fields == ["lead_status": .set(.text("qualified")), "score": .set(.number("87"))])
    }

    @Test func theActionMemberChoosesDeleteAndUnknownValuesAreRefused() throws {
        let delete = decoder.decode(
            record(
                "crm.lead-webhooks",
                json: #"{"event": "lead.removed", "lead": {"id": 42, "updated_at": "2026-11-24T10:16:00Z"}}"#))
        #expect(delete.change?.action == .delete)
        let unknown = decoder.decode(
            record(
                "crm.lead-webhooks",
                json: #"{"event": "lead.merged", "lead": {"id": 42, "updated_at": "2026-11-24T10:16:00Z"}}"#))
        #expect(unknown.rejection?.reason == .unknownType)
        #expect(unknown.rejection?.message.contains("/event") == true)
    }

    @Test func aMissingMappedMemberLeavesTheContactAlone() throws {
        let outcome = decoder.decode(
            record(
                "crm.lead-webhooks",
                json:
                    #"{"event": "lead.updated", "lead": {"id": 42, "updated_at": "2026-11-24T10:16:00Z", "score": 3}}"#)
        )
        #expect(outcome.patch == ContactPatch(fields: ["score": .set(.number("3"))]))
    }

    @Test(arguments: [
        ("topics:\n  t:\n    format: nope\n", 3, "topics.t.format"),
        ("topics:\n  t:\n    format: mapped\n", 3, "topics.t.mapping"),
        ("topics:\n  t:\n    format: mapped\n    mapping:\n      id: lead.id\n", 5, "topics.t.mapping.id"),
        ("default_country_code: plus55\n", 1, "default_country_code"),
        (
            "topics:\n  t:\n    format: debezium\n    mapping:\n      fields:\n        Name: /n\n", 6,
            "topics.t.mapping.fields.Name"
        ),
        ("colour: blue\n", 1, "colour"),
    ])
    func mappingErrorsNameFileLineAndKey(yaml: String, line: Int, key: String) {
        let error = #expect(throws: MappingFileError.self) {
            _ = try DecoderConfiguration(mappingYAML: yaml, file: "m.yaml")
        }
        #expect(error?.file == "m.yaml")
        #expect(error?.line == line, "\(String(describing: error))")
        #expect(error?.key == key, "\(String(describing: error))")
        #expect(error?.description.hasPrefix("m.yaml:\(line): \(key): ") == true)
    }
}
