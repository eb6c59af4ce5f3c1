import ContactSyncTesting
import Foundation
import Kafka
import PlatformClient
import PlatformSandbox
import SchemaRegistry
import SyncCore
import Testing

@testable import SyncWorker

/// Avro Debezium records (fastavro's bytes, Confluent-framed) through a whole worker run with
/// the example mapping file and the registry stand-in over HTTP: decoded before the Debezium
/// family applies, an unknown schema id dead-lettered with its own reason, and a registry
/// outage ridden out with nothing dead-lettered.
@Suite(.serialized) struct WorkerAvroTests {
    static let fixtures = Result { try DebeziumAvroFixtures.load() }
    static let password = "registry-s3cret-pass"

    /// The stand-in serving the fixtures' key and value schemas, demanding basic credentials.
    func standIn(_ h: WorkerHarness, _ fixtures: DebeziumAvroFixtures) async throws -> SchemaRegistryStandIn {
        let registry = try await SchemaRegistryStandIn.start(logger: h.logger)
        registry.register(id: fixtures.keySchemaId, schema: fixtures.keySchema, subject: "\(fixtures.topic)-key")
        registry.register(id: fixtures.valueSchemaId, schema: fixtures.valueSchema, subject: "\(fixtures.topic)-value")
        registry.requireAuthorization("Basic " + Data("sync:\(Self.password)".utf8).base64EncodedString())
        return registry
    }

    /// The example mapping file's decoders, for every test here.
    static let decoder = Result {
        try DecoderConfiguration(mappingYAML: try WorkerDebeziumTests.example("mappings.yaml"), file: "mappings.yaml")
    }

    func configure(
        _ configuration: inout WorkerConfiguration, _ registry: SchemaRegistryStandIn, topic: String,
        decoder: DecoderConfiguration
    ) {
        configuration.topics = [topic]
        configuration.decoder = decoder
        configuration.schemaRegistry = .init(
            url: registry.baseURL,
            credentials: .basic(username: "sync", password: RegistrySecret(Self.password)),
            requestTimeout: .seconds(2))
    }

    func produce(_ h: WorkerHarness, _ records: [DebeziumAvroFixtures.Record], to topic: String) async throws {
        let producer = try KafkaProducer(
            properties: ["bootstrap.servers": h.cluster.bootstrapServers], logger: h.logger)
        for record in records {
            try await producer.send(topic: topic, partition: 0, key: record.keyBytes, value: record.valueBytes)
        }
        await producer.close()
    }

    /// Every contact as the events left it: 1 updated, 2 deleted, 3 and 4 created.
    func expectContacts(_ state: SandboxState) {
        let ana = state.contact(urn: "ext:cus-1")
        #expect(ana?.name == "Ana Costa", "the update (lsn 1100) over the create")
        #expect(ana?.fields["plan"] == "basic")
        #expect(ana?.fields["signup_date"]?.hasPrefix("2024-01-31") == true, "io.debezium.time.Date as a date")
        #expect(ana?.language == "por")
        #expect(ana?.urns.contains("tel:+5582999990001") == true)
        #expect(ana?.urns.contains("mailto:ana@example.com") == true)
        #expect(state.contact(urn: "ext:cus-2") == nil, "deleted from before.id")
        let carla = state.contact(urn: "ext:cus-3")
        #expect(carla?.name == "Carla Lima")
        #expect(carla?.language == "eng")
        #expect(state.contact(urn: "ext:cus-4")?.name?.hasPrefix("Diego") == true, "the snapshot read (op r)")
        #expect(state.contact(urn: "ext:cus-5") == nil, "its schema id is unknown: dead-lettered, not applied")
    }

    @Test func avroDebeziumEventsThroughTheRegistryAndTheExampleMapping() async throws {
        let fixtures = try Self.fixtures.get()
        let decoder = try Self.decoder.get()
        let h = try await WorkerHarness(partitions: 1)
        try h.cluster.createTopic(fixtures.topic, partitions: 1)
        let registry = try await standIn(h, fixtures)
        try await produce(h, fixtures.records, to: fixtures.topic)
        let group = "g-avro"
        let snapshot = try await h.runUntilCaughtUp(group: group) {
            configure(&$0, registry, topic: fixtures.topic, decoder: decoder)
        }
        #expect(snapshot.caughtUp)
        #expect(snapshot.recordsIn == fixtures.records.count)
        #expect(snapshot.skippedTombstone == 1)
        #expect(snapshot.deadLettered == ["unknown_schema": 1])
        expectContacts(h.sandbox.state())

        let deadLetters = try await h.deadLetters()
        #expect(deadLetters.count == 1)
        let unknown = try #require(fixtures.records.last)
        if let letter = deadLetters.first {
            let info = try #require(DeadLetterInfo(headers: letter.inbound.headers))
            #expect(info.reason == "unknown_schema")
            #expect(info.stage == "decode")
            #expect(info.message.contains("schema id \(fixtures.unknownSchemaId)"), "\(info.message)")
            #expect(letter.value == unknown.valueBytes, "the framed bytes as they came, for a replay")
        }
        // Each schema asked for once; the unknown id asked, answered 404.
        let asked = registry.requests()
        #expect(asked.filter { $0 == "/schemas/ids/\(fixtures.valueSchemaId)" }.count == 1)
        #expect(asked.filter { $0 == "/schemas/ids/\(fixtures.keySchemaId)" }.count == 1)
        #expect(asked.contains("/schemas/ids/\(fixtures.unknownSchemaId)"))
        #expect(try await h.committed(group: group, topic: fixtures.topic) == [Int64(fixtures.records.count)])
        await registry.shutdown()
        await h.shutdown()
    }

    @Test func aRegistryOutageIsRiddenOutWithNothingDeadLettered() async throws {
        let fixtures = try Self.fixtures.get()
        let decoder = try Self.decoder.get()
        let h = try await WorkerHarness(partitions: 1)
        try h.cluster.createTopic(fixtures.topic, partitions: 1)
        let registry = try await standIn(h, fixtures)
        let known = fixtures.records.filter { !$0.name.contains("unknown schema id") }
        try await produce(h, known, to: fixtures.topic)
        registry.setMode(.unavailable)
        let group = "g-avro-outage"
        let running = await h.start(
            try h.configuration(group: group) { configure(&$0, registry, topic: fixtures.topic, decoder: decoder) },
            deadline: .seconds(60))

        try await eventually("the worker meets the outage, pauses fetching and asks again", within: .seconds(20)) {
            let snapshot = running.snapshot
            return snapshot.schemaRegistryFailures >= 3 && snapshot.paused && snapshot.schemaRegistryProblem != nil
        }
        // A while longer: every answer is a 503, and still nothing is dead-lettered or applied.
        try await Task.sleep(for: .seconds(1))
        let during = running.snapshot
        #expect(during.notReadyReason?.contains("schema registry unavailable") == true, "\(during)")
        #expect(during.deadLetteredTotal == 0 && during.applied == 0)
        #expect(try await h.deadLetters().isEmpty)
        #expect(try await h.committed(group: group, topic: fixtures.topic) != [Int64(known.count)])

        registry.setMode(.serving)
        let after = try await running.finished()
        #expect(after.caughtUp, "every record applied and committed once the registry answers")
        #expect(after.deadLetteredTotal == 0)
        #expect(after.schemaRegistryProblem == nil && after.notReadyReason == nil)
        #expect(after.skippedTombstone == 1)
        expectContacts(h.sandbox.state())
        #expect(try await h.deadLetters().isEmpty)
        #expect(try await h.committed(group: group, topic: fixtures.topic) == [Int64(known.count)])
        await registry.shutdown()
        await h.shutdown()
    }

    /// Plain JSON records on a worker with a registry configured never ask it.
    @Test func plainRecordsNeverAskTheRegistry() async throws {
        let fixtures = try Self.fixtures.get()
        let decoder = try Self.decoder.get()
        let h = try await WorkerHarness(partitions: 1)
        try h.cluster.createTopic(fixtures.topic, partitions: 1)
        let registry = try await standIn(h, fixtures)
        try await h.produce(
            [WorkerDebeziumTests.change("c", id: 7, lsn: 10, tsMs: 1_000)], to: fixtures.topic)
        let snapshot = try await h.runUntilCaughtUp(group: "g-avro-plain") {
            configure(&$0, registry, topic: fixtures.topic, decoder: decoder)
        }
        #expect(snapshot.created == 1 && snapshot.deadLetteredTotal == 0)
        #expect(registry.requests().isEmpty)
        await registry.shutdown()
        await h.shutdown()
    }

    /// The registry's password or token is redacted from dead letters and logs as the API token is.
    @Test func theRedactorHidesRegistrySecrets() throws {
        for credentials in [
            RegistryCredentials.basic(username: "sync", password: RegistrySecret(Self.password)),
            .bearer(RegistrySecret(Self.password)),
        ] {
            var configuration = WorkerConfiguration(
                kafka: [:], groupID: "g", topics: ["t"], deadLetterTopic: "d", instanceID: "i")
            configuration.schemaRegistry = .init(url: "http://registry:8081", credentials: credentials)
            let redact = configuration.redactor(tokens: [APIToken("platform-token-1234")])
            let text = redact("GET failed: \(Self.password) and platform-token-1234")
            #expect(!text.contains(Self.password) && !text.contains("platform-token-1234"), "\(text)")
            #expect(text.contains("<redacted>"))
        }
    }
}
