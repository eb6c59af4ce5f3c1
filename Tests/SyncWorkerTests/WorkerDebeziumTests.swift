import ContactSyncTesting
import Foundation
import Kafka
import PlatformSandbox
import SyncCore
import Testing

@testable import SyncWorker

/// Debezium change events and a mapping file through a whole worker run: the decoder's rules
/// (`DebeziumAndMappedTests`) must hold once records go through lanes, the guard and the platform.
@Suite(.serialized) struct WorkerDebeziumTests {
    static let customers = "crm.public.customers"
    static let leads = "crm.lead-webhooks"

    /// The repository's `examples/` directory.
    static func example(_ name: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("examples/\(name)"), encoding: .utf8)
    }

    /// A worker over the example mapping file's topics, configured by that file alone.
    func run(_ h: WorkerHarness, group: String) async throws -> WorkerSnapshot {
        let decoder = try DecoderConfiguration(mappingYAML: try Self.example("mappings.yaml"), file: "mappings.yaml")
        return try await h.runUntilCaughtUp(group: group) {
            $0.topics = [Self.customers, Self.leads, h.topic]
            $0.decoder = decoder
        }
    }

    static func change(
        _ op: String, id: Int, lsn: Int?, tsMs: Int, first: String = "Ana", last: String = "Lima"
    ) -> (partition: Int32, event: (key: String, json: String?)) {
        let row = #"{"id": \#(id), "first_name": "\#(first)", "last_name": "\#(last)"}"#
        let (before, after) = op == "d" ? (row, "null") : ("null", row)
        let source = lsn.map { #", "source": {"lsn": \#($0)}"# } ?? ""
        return (
            0,
            (
                #"{"id": \#(id)}"#,
                #"{"before": \#(before), "after": \#(after), "op": "\#(op)", "ts_ms": \#(tsMs)\#(source)}"#
            )
        )
    }

    @Test func aDeleteThenItsTombstoneAndAnOlderLSNWithANewerTimestamp() async throws {
        let h = try await WorkerHarness(partitions: 1)
        for topic in [Self.customers, Self.leads] { try h.cluster.createTopic(topic, partitions: 1) }
        let group = "g-debezium"
        try await h.produce(
            [
                Self.change("c", id: 5, lsn: 100, tsMs: 1_000), Self.change("c", id: 6, lsn: 110, tsMs: 1_100),
                Self.change("u", id: 5, lsn: 200, tsMs: 2_000, last: "Costa"),
            ], to: Self.customers)
        let first = try await run(h, group: group)
        #expect(first.created == 2 && first.deadLetteredTotal == 0)
        #expect(h.sandbox.state().contact(urn: "ext:cus-5")?.name == "Ana Costa")
        #expect(h.sandbox.state().contact(urn: "ext:cus-6") != nil)

        try await h.produce(
            [
                // Written before lsn 200 but captured later: the log position orders, not the clock.
                Self.change("u", id: 5, lsn: 150, tsMs: 9_000, last: "Stale"),
                Self.change("d", id: 6, lsn: 300, tsMs: 3_000),
                (0, (#"{"id": 6}"#, nil)),  // the tombstone Debezium writes after a delete
            ], to: Self.customers)
        let second = try await run(h, group: group)
        #expect(second.recordsIn == 3)
        #expect(second.skippedStale == 1, "lsn 150 after lsn 200 is stale, whatever ts_ms says")
        #expect(second.deleted == 1)
        #expect(second.skippedTombstone == 1)
        #expect(second.deadLetteredTotal == 0)
        #expect(h.sandbox.state().contact(urn: "ext:cus-5")?.name == "Ana Costa")
        #expect(h.sandbox.state().contact(urn: "ext:cus-6") == nil, "deleted from before.id")
        #expect(try await h.deadLetters().isEmpty)
        #expect(try await h.committed(group: group, topic: Self.customers) == [6])
        await h.shutdown()
    }

    /// The example mapping file alone decides how each topic's records become contacts.
    @Test func theExampleMappingFileDrivesAWholeRun() async throws {
        let h = try await WorkerHarness(partitions: 1)
        for topic in [Self.customers, Self.leads] { try h.cluster.createTopic(topic, partitions: 1) }
        let group = "g-mapped"
        try await h.produce([(0, (#"{"id": 123}"#, try Self.example("debezium-customers.json")))], to: Self.customers)
        try await h.produce([(0, ("42", try Self.example("crm-lead-webhook.json")))], to: Self.leads)
        try await h.produce([
            event("customer.created", id: "m1", entity: "cus_m1", version: 1, data: #""name": "Canonical""#)
        ])
        let first = try await run(h, group: group)
        #expect(first.created == 3 && first.deadLetteredTotal == 0)
        let state = h.sandbox.state()
        let john = try #require(state.contact(urn: "ext:cus-123"), "ext_prefix cus- from the file")
        #expect(john.name == "John Cordeiro", "the name template")
        #expect(john.urns.contains("tel:+558299331122"), "the file's default country code")
        #expect(john.language == "por")
        #expect(john.fields["plan"] == "gold")
        let maria = try #require(state.contact(urn: "ext:lead-42"))
        #expect(maria.name == "Maria Souza")
        #expect(Set(maria.groups) == ["Leads", "Webinar 2026"])
        #expect(maria.fields["lead_status"] == "qualified" && maria.fields["score"] == "87")
        #expect(maria.urns.contains("whatsapp:5582988887777"))
        #expect(state.contact(urn: "ext:cus_m1")?.name == "Canonical", "customers stays canonical")

        // The file's action rule: lead.removed deletes; a redelivered webhook is a duplicate.
        try await h.produce(
            [
                (0, ("42", try Self.example("crm-lead-webhook.json"))),
                (
                    0,
                    (
                        "42",
                        #"{"event": "lead.removed", "delivery_id": "wh_02", "lead": {"id": 42, "updated_at": "2026-11-24T11:00:00Z"}}"#
                    )
                ),
            ], to: Self.leads)
        let second = try await run(h, group: group)
        #expect(second.skippedDuplicate == 1 && second.deleted == 1 && second.deadLetteredTotal == 0)
        #expect(h.sandbox.state().contact(urn: "ext:lead-42") == nil)
        await h.shutdown()
    }
}
