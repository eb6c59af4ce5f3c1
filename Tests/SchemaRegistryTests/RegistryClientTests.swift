import JSON
import SchemaRegistry
import Testing

/// The client's caching, references and failure classes, over a registry in a closure.
@Suite struct RegistryClientTests {
    static let customer = """
        {"type": "record", "name": "Customer", "namespace": "com.acme",
         "fields": [{"name": "id", "type": "long"}, {"name": "home", "type": "Address"}]}
        """
    static let address = """
        {"type": "record", "name": "Address", "namespace": "com.acme",
         "fields": [{"name": "city", "type": "string"}, {"name": "country", "type": "Country"}]}
        """
    static let country = #"{"type": "enum", "name": "Country", "namespace": "com.acme", "symbols": ["BR", "PT"]}"#

    func failure(_ client: SchemaRegistryClient, id: UInt32) async -> RegistryFailure? {
        do {
            _ = try await client.schema(id: id)
            return nil
        } catch { return error }
    }

    @Test func schemasAreFetchedOnceAndKept() async throws {
        let registry = FakeRegistry()
        registry.schema(id: 1, #""string""#)
        let client = registry.client
        async let first = client.schema(id: 1)
        async let second = client.schema(id: 1)
        _ = try await (first, second)
        _ = try await client.schema(id: 1)
        #expect(registry.requests() == ["/schemas/ids/1"])
        #expect(client.cachedIDs() == [1])
    }

    @Test func referencesAreResolvedDependenciesFirst() async throws {
        let registry = FakeRegistry()
        registry.schema(
            id: 7, Self.customer, references: [["name": "com.acme.Address", "subject": "address value", "version": 2]])
        registry.answer(
            "/subjects/address%20value/versions/2",
            [
                "subject": "address value", "version": 2, "id": 5, "schema": .string(Self.address),
                "references": [["name": "com.acme.Country", "subject": "country", "version": 1]],
            ])
        registry.answer("/subjects/country/versions/1", ["schema": .string(Self.country)])
        let schema = try await registry.client.schema(id: 7)
        guard case .avro(let avro) = schema.kind else {
            Issue.record("not Avro: \(schema.kind)")
            return
        }
        let bytes = AvroBytes.long(3) + AvroBytes.string("Maceió") + [0x00]
        #expect(try AvroDecoder(schema: avro).decode(bytes) == ["id": 3, "home": ["city": "Maceió", "country": "BR"]])
    }

    @Test func aReferenceCycleIsAnInvalidSchema() async {
        let registry = FakeRegistry()
        registry.schema(id: 1, #""string""#, references: [["name": "A", "subject": "a", "version": 1]])
        registry.answer(
            "/subjects/a/versions/1",
            ["schema": #""int""#, "references": [["name": "B", "subject": "b", "version": 1]]])
        registry.answer(
            "/subjects/b/versions/1",
            ["schema": #""int""#, "references": [["name": "A", "subject": "a", "version": 1]]])
        let error = await failure(registry.client, id: 1)
        #expect(error?.reason == .invalidSchema)
        #expect(error?.message.contains("form a cycle") == true)
    }

    @Test func anUnknownIDIsPermanentAndAskedAgainNextTime() async {
        let registry = FakeRegistry()
        let client = registry.client
        let error = await failure(client, id: 42)
        #expect(error?.reason == .unknownSchema)
        #expect(error?.isTransient == false)
        #expect(
            error?.message
                == "schema id 42 is not in the schema registry (GET /schemas/ids/42 answered 404, error 40403: Schema not found)"
        )
        _ = await failure(client, id: 42)
        #expect(registry.requests().count == 2)
    }

    @Test func outagesAreTransientAndNotKept() async throws {
        let registry = FakeRegistry()
        registry.schema(id: 3, #""long""#)
        let client = registry.client
        registry.setDown(true)
        let error = await failure(client, id: 3)
        #expect(error?.reason == .registryUnavailable)
        #expect(error?.isTransient == true)
        #expect(error?.message == "GET /schemas/ids/3 on the schema registry failed: connection refused")
        registry.setDown(false)
        _ = try await client.schema(id: 3)
    }

    @Test(arguments: [
        (503, (["error_code": 50003, "message": "down"] as JSON), "answered 503"),
        (500, JSON.string("<html>"), "answered 500"),
        (401, (["error_code": 401, "message": "Unauthorized"] as JSON), "refused the credentials"),
        // A 404 without the registry's error body is a proxy or a wrong URL, not an unknown id.
        (404, JSON.string("<html>Not Found</html>"), "is the registry URL right?"),
        (200, (["unexpected": true] as JSON), "not a schema registry answer"),
    ])
    func otherAnswersAreTransient(status: Int, body: JSON, mention: String) async {
        let registry = FakeRegistry()
        registry.answer("/schemas/ids/9", status: status, body)
        let error = await failure(registry.client, id: 9)
        #expect(error?.reason == .registryUnavailable)
        #expect(error?.message.contains(mention) == true, "\(String(describing: error))")
    }

    @Test func schemaTypes() async throws {
        let registry = FakeRegistry()
        registry.schema(id: 1, #"{"type": "object"}"#, type: "JSON")
        registry.schema(id: 2, "syntax = \"proto3\";", type: "PROTOBUF")
        registry.schema(id: 3, #"{"type": "record"}"#)
        registry.schema(id: 4, "x", type: "THRIFT")
        let client = registry.client
        guard case .json = try await client.schema(id: 1).kind else {
            Issue.record("JSON Schema not recognised")
            return
        }
        #expect(await failure(client, id: 2)?.reason == .protobufUnsupported)
        #expect(await failure(client, id: 3)?.reason == .invalidSchema)
        #expect(await failure(client, id: 4)?.message.contains("THRIFT") == true)
        // Permanent failures of a readable answer are kept: the id's schema never changes.
        _ = await failure(client, id: 2)
        #expect(registry.requests().filter { $0 == "/schemas/ids/2" }.count == 1)
    }
}
