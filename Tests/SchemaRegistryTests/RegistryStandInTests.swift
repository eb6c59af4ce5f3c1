import Foundation
import JSON
import Logging
import PlatformSandbox
import SchemaRegistry
import Testing

/// The client over real HTTP against the registry stand-in: credentials, a Debezium envelope
/// decoded end to end, and every failure class (outage, unknown id, slow, refused, gone).
@Suite struct RegistryStandInTests {
    static let logger = Logger(label: "registry-stand-in-tests") { _ in SwiftLogNoOpLogHandler() }

    /// The stand-in with the customers envelope (and key) of the fastavro fixtures as ids 21 and 22.
    func withStandIn(
        credentials: RegistryCredentials = .basic(username: "key", password: RegistrySecret("s3cr3t-pass")),
        requestTimeout: Duration = .seconds(5),
        _ body: (SchemaRegistryStandIn, RecordDecoding) async throws -> Void
    ) async throws {
        let standIn = try await SchemaRegistryStandIn.start(logger: Self.logger)
        let envelope = try #require(AvroCrossCheckTests.cases.first { $0.name == "debezium customers envelope op=u" })
        let key = try #require(AvroCrossCheckTests.cases.first { $0.name == "debezium customers key" })
        standIn.register(id: 21, schema: envelope.schema.serialized(), subject: "dbserver1.public.customers-value")
        standIn.register(id: 22, schema: key.schema.serialized(), subject: "dbserver1.public.customers-key")
        standIn.requireAuthorization("Basic " + Data("key:s3cr3t-pass".utf8).base64EncodedString())
        let http = SchemaRegistryHTTP(
            options: .init(url: standIn.baseURL + "/", credentials: credentials, requestTimeout: requestTimeout))
        do {
            try await body(standIn, RecordDecoding(registry: SchemaRegistryClient(http: http)))
        } catch {
            try? await http.shutdown()
            await standIn.shutdown()
            throw error
        }
        try await http.shutdown()
        await standIn.shutdown()
    }

    static func framed(_ id: UInt32, _ name: String) throws -> [UInt8] {
        let fixture = try #require(AvroCrossCheckTests.cases.first { $0.name == name })
        return ConfluentFraming.header(schemaID: id) + fixture.bytes
    }

    @Test func aDebeziumEnvelopeDecodesOverHTTPWithBasicAuth() async throws {
        try await withStandIn { standIn, decoding in
            let expected = try #require(
                AvroCrossCheckTests.cases.first { $0.name == "debezium customers envelope op=u" })
            let outcome = await decoding.decode(
                key: try Self.framed(22, "debezium customers key"),
                value: try Self.framed(21, "debezium customers envelope op=u"))
            guard case .ready(let key?, let value?) = outcome else {
                Issue.record("not decoded: \(outcome)")
                return
            }
            #expect(try JSON.parse(key) == ["id": 1001])
            #expect(try JSON.parse(value) == expected.expected)
            // Once per id: the next records use the kept schemas.
            _ = await decoding.decode(try Self.framed(21, "debezium customers envelope op=c"))
            #expect(standIn.requests() == ["/schemas/ids/22", "/schemas/ids/21"])
        }
    }

    @Test func anOutageIsTransientAndRiddenOut() async throws {
        try await withStandIn { standIn, decoding in
            standIn.setMode(.unavailable)
            let value = try Self.framed(21, "debezium customers envelope op=c")
            guard case .transient(let failure) = await decoding.decode(value) else {
                Issue.record("an outage was not transient")
                return
            }
            #expect(failure.message == "the record value: GET /schemas/ids/21 answered 503")
            standIn.setMode(.serving)
            guard case .decoded = await decoding.decode(value) else {
                Issue.record("not decoded after the outage")
                return
            }
        }
    }

    @Test func unknownIDsArePermanent() async throws {
        try await withStandIn { standIn, decoding in
            guard case .permanent(let failure) = await decoding.decode(ConfluentFraming.header(schemaID: 404) + [0])
            else {
                Issue.record("an unknown id was not permanent")
                return
            }
            #expect(failure.reason == .unknownSchema)
            #expect(failure.message.contains("error 40403: Schema 404 not found"))
            standIn.setMode(.knowsNothing)
            guard case .permanent = await decoding.decode(try Self.framed(21, "debezium customers envelope op=c"))
            else {
                Issue.record("a registry that knows nothing was not permanent")
                return
            }
        }
    }

    @Test func refusedCredentialsAreTransientAndNeverShown() async throws {
        let wrong = RegistryCredentials.basic(username: "key", password: RegistrySecret("wrong-pass"))
        #expect(!"\(wrong)".contains("wrong-pass"))
        try await withStandIn(credentials: wrong) { _, decoding in
            guard case .transient(let failure) = await decoding.decode(ConfluentFraming.header(schemaID: 21) + [0])
            else {
                Issue.record("refused credentials were not transient")
                return
            }
            #expect(failure.message.contains("answered 401: the registry refused the credentials"))
            #expect(!failure.message.contains("wrong-pass"))
        }
    }

    @Test func slowOrGoneRegistriesAreTransient() async throws {
        try await withStandIn(requestTimeout: .milliseconds(200)) { standIn, decoding in
            standIn.setLatency(.seconds(2))
            guard case .transient(let slow) = await decoding.decode(ConfluentFraming.header(schemaID: 21) + [0]) else {
                Issue.record("a slow registry was not transient")
                return
            }
            #expect(slow.reason == .registryUnavailable)
            await standIn.shutdown()
            guard case .transient(let gone) = await decoding.decode(ConfluentFraming.header(schemaID: 22) + [0]) else {
                Issue.record("a stopped registry was not transient")
                return
            }
            #expect(gone.message.contains("/schemas/ids/22"))
        }
    }

    @Test func credentialsInTheURLMoveOutOfIt() {
        let options = SchemaRegistryHTTP.Options(url: "https://key:p%40ss@registry.example.com:8081/")
        #expect(options.url == "https://registry.example.com:8081")
        #expect(options.credentials == .basic(username: "key", password: RegistrySecret("p@ss")))
        #expect(!options.description.contains("p%40ss") && !options.description.contains("p@ss"))
        #expect(RegistryCredentials.bearer(RegistrySecret("tok-123")).description == "bearer token <redacted>")
        #expect("\(RegistrySecret("x"))" == "<redacted>")
    }
}
