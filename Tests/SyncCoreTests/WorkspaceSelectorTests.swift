import Testing

@testable import SyncCore

/// `platform.workspace_from`: how an event names its workspace, and the identity that follows.
@Suite struct WorkspaceSelectorTests {
    func decoder(_ selector: String, configuration: DecoderConfiguration = DecoderConfiguration()) throws
        -> EventDecoder
    {
        var configuration = configuration
        configuration.workspaceFrom = try WorkspaceSelector(parsing: selector)
        return EventDecoder(configuration: configuration)
    }

    @Test func headersAndPointersParse() throws {
        #expect(try WorkspaceSelector(parsing: "header:tenant") == .header("tenant"))
        #expect(try WorkspaceSelector(parsing: " /data/account_id ") == .pointer("/data/account_id"))
        #expect(try WorkspaceSelector(parsing: "/a~1b~0c") == .pointer("/a~1b~0c"))
    }

    @Test(arguments: ["tenant", "", "/", "header:", "header:two words", "/bad~2escape", "data/account_id"])
    func badSelectorsAreRefusedNamingTheSetting(text: String) {
        #expect {
            try WorkspaceSelector(parsing: text, setting: "platform.workspace_from (file c.yaml)")
        } throws: { error in
            let problem = (error as? WorkspaceSelectorError)?.description ?? ""
            return problem.hasPrefix("platform.workspace_from (file c.yaml) = \"\(text)\": ")
        }
    }

    @Test func aHeaderNamesTheWorkspace() throws {
        let outcome = try decoder("header:tenant").decode(
            record(
                json: canonical(data: #"{"id": "42", "name": "Ana"}"#),
                headers: [.init(name: "tenant", value: Array("acme".utf8))]))
        let change = try #require(outcome.change)
        #expect(change.workspace == "acme")
        #expect(change.entityKey == "acme\u{1F}ext:42")
        #expect(change.extURN.description == "ext:42", "the platform gets the bare URN")
        #expect(ContactChange.workspace(ofEntityKey: change.entityKey) == "acme")
    }

    @Test func aPointerIntoTheEventNamesTheWorkspace() throws {
        let json =
            #"{"id": "e1", "type": "customer.updated", "occurred_at": "2026-11-24T10:15:00Z", "tenant": "globex", "data": {"id": 7, "account_id": 12}}"#
        #expect(try decoder("/tenant").decode(record(json: json)).change?.workspace == "globex")
        #expect(try decoder("/data/account_id").decode(record(json: json)).change?.workspace == "12")
    }

    @Test func theSameKeyInTwoWorkspacesIsTwoEntities() throws {
        let decoder = try decoder("header:tenant")
        func key(_ tenant: String) throws -> String {
            try #require(
                decoder.decode(
                    record(
                        json: canonical(data: #"{"id": "42"}"#),
                        headers: [.init(name: "tenant", value: Array(tenant.utf8))])
                ).change
            ).entityKey
        }
        #expect(try key("acme") != key("globex"))
    }

    @Test func withoutWorkspacesTheKeyIsTheBareURN() throws {
        let change = try #require(
            EventDecoder(configuration: DecoderConfiguration()).decode(record(json: canonical(data: #"{"id": "42"}"#)))
                .change)
        #expect(change.workspace == nil && change.entityKey == "ext:42")
        #expect(ContactChange.workspace(ofEntityKey: change.entityKey) == nil)
    }

    @Test func anEventNamingNoWorkspaceIsRejected() throws {
        for headers in [[], [InboundRecord.Header(name: "tenant", value: Array("  ".utf8))]] {
            let rejection = try #require(
                try decoder("header:tenant").decode(record(json: canonical(data: #"{"id": "42"}"#), headers: headers))
                    .rejection)
            #expect(rejection.reason == .unknownWorkspace)
            #expect(rejection.message.contains("header tenant"))
        }
    }

    @Test func debeziumPointersReadTheRowBeforeForDeletes() throws {
        let decoder = try decoder("/tenant_id", configuration: DecoderConfiguration(unlistedFormat: .debezium))
        let upsert =
            #"{"before": null, "after": {"id": 5, "tenant_id": "acme"}, "op": "c", "ts_ms": 1700000000000}"#
        let delete =
            #"{"schema": {}, "payload": {"before": {"id": 5, "tenant_id": "acme"}, "after": null, "op": "d", "ts_ms": 1700000000001}}"#
        #expect(decoder.decode(record("crm", json: upsert)).change?.workspace == "acme")
        let deleted = try #require(decoder.decode(record("crm", json: delete)).change)
        #expect(deleted.workspace == "acme" && deleted.isDelete)
    }

    @Test func mergingKeepsTheWorkspace() throws {
        let decoder = try decoder("header:tenant")
        let headers = [InboundRecord.Header(name: "tenant", value: Array("acme".utf8))]
        let first = try #require(
            decoder.decode(record(json: canonical(id: "a", version: "1", data: #"{"id": "42"}"#), headers: headers))
                .change)
        let second = try #require(
            decoder.decode(record(json: canonical(id: "b", version: "2", data: #"{"id": "42"}"#), headers: headers))
                .change)
        let merged = ContactChange.merge([first, second])
        #expect(merged.workspace == "acme" && merged.entityKey == first.entityKey && merged.eventIDs == ["a", "b"])
    }
}
