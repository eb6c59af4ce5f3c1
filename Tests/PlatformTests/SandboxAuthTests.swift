import JSON
import Testing

@testable import PlatformSandbox

/// Authentication and the common error bodies (401, 404, 405).
@Suite struct SandboxAuthTests {
    @Test func missingCredentialsAre401NotProvided() async throws {
        try await SandboxHarness.with { h in
            for authorization in [nil, "Bearer \(SandboxHarness.token)"] as [String?] {
                let reply = try await h.call(.GET, "/api/v2/contacts.json", authorization: authorization)
                #expect(reply.status == 401)
                #expect(reply.body == ["detail": "Authentication credentials were not provided."])
                #expect(reply.headers["www-authenticate"] == "Token")
            }
        }
    }

    @Test func wrongTokenIs401Invalid() async throws {
        try await SandboxHarness.with { h in
            let reply = try await h.call(
                .POST, "/api/v2/groups.json", json: ["name": "X"], authorization: "Token wrong")
            #expect(reply.status == 401)
            #expect(reply.body == ["detail": "Invalid token."])
            #expect(h.sandbox.state().groups.isEmpty)
        }
    }

    @Test func rejectAllTokensSwitchTurnsTheGoodTokenAwayUntilCleared() async throws {
        try await SandboxHarness.with { h in
            h.sandbox.setChaos(SandboxChaos(rejectAllTokens: true))
            let refused = try await h.call(.GET, "/api/v2/fields.json")
            #expect(refused.status == 401)
            #expect(refused.body == ["detail": "Invalid token."])
            h.sandbox.setChaos(.none)
            #expect(try await h.call(.GET, "/api/v2/fields.json").status == 200)
        }
    }

    @Test func unknownPathsAre404NotFound() async throws {
        try await SandboxHarness.with { h in
            for path in ["/api/v2/nothing.json", "/api/v3/contacts.json", "/"] {
                let reply = try await h.call(.GET, path)
                #expect(reply.status == 404, "path \(path)")
                #expect(reply.body == ["detail": "Not found."], "path \(path)")
            }
        }
    }

    @Test func unsupportedMethodsAre405() async throws {
        try await SandboxHarness.with { h in
            let reply = try await h.call(.PUT, "/api/v2/contacts.json", json: [:])
            #expect(reply.status == 405)
            #expect(reply.body == ["detail": "Method \"PUT\" not allowed."])
            #expect(try await h.call(.DELETE, "/api/v2/fields.json").status == 405)
        }
    }

    @Test func pathsWithoutTheJSONSuffixWork() async throws {
        try await SandboxHarness.with { h async throws in
            #expect(try await h.call(.POST, "/api/v2/groups", json: ["name": "Devs"]).status == 201)
            #expect(h.sandbox.stats().count(endpoint: "groups.json", method: "POST", status: 201) == 1)
        }
    }
}
