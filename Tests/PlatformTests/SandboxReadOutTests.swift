import Foundation
import JSON
import Testing

@testable import PlatformSandbox

/// `state()`/`stats()` in process and `GET /_sandbox/state|stats` for other processes agree.
@Suite struct SandboxReadOutTests {
    @Test func stateAndStatsOverHTTPMatchTheInProcessOnes() async throws {
        try await SandboxHarness.with { h in
            _ = try await h.post("/api/v2/fields.json", ["name": "Nickname", "type": "text"], expecting: 201)
            _ = try await h.post("/api/v2/groups.json", ["name": "Devs"], expecting: 201)
            _ = try await h.post(
                "/api/v2/contacts.json?urn=ext%3A1",
                ["name": "Ben", "groups": ["Devs"], "fields": ["nickname": "Mack"]], expecting: 201)
            _ = try await h.call(.GET, "/api/v2/contacts.json", authorization: nil)

            let state = h.sandbox.state()
            let contact = try #require(state.contact(urn: "ext:1"))
            #expect(contact.name == "Ben")
            #expect(contact.groups == ["Devs"])
            #expect(contact.fields == ["nickname": "Mack"])
            #expect(state.fields == [SandboxState.Field(key: "nickname", label: "Nickname", type: "text")])
            #expect(state.group(named: "Devs")?.count == 1)

            let stats = h.sandbox.stats()
            #expect(stats.total == 4)
            #expect(stats.count(endpoint: "contacts.json", method: "POST", status: 201) == 1)
            #expect(stats.count(endpoint: "contacts.json", method: "GET", status: 401) == 1)
            #expect(stats.count(status: 201) == 3)

            let remoteState = try await Self.fetch(SandboxState.self, from: h, path: "/_sandbox/state")
            let remoteStats = try await Self.fetch(SandboxStats.self, from: h, path: "/_sandbox/stats")
            #expect(remoteState == state)
            #expect(remoteStats == stats)  // read-outs are not counted
        }
    }

    static func fetch<T: Decodable>(_ type: T.Type, from h: SandboxHarness, path: String) async throws -> T {
        let reply = try await h.call(.GET, path, authorization: nil)
        #expect(reply.status == 200)
        let text = try #require(reply.body?.serialized())
        return try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }
}
