import PlatformClient
import PlatformSandbox
import Testing

@Suite struct RegistryTests {
    @Test func fiftyConcurrentEnsuresMakeOneCreateEach() async throws {
        try await ClientHarness.with { h in
            let registry = Registry(client: h.client)
            let results = try await withThrowingTaskGroup(of: (String, String).self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        async let key = registry.ensureField(key: "lead_status", type: .text)
                        async let uuid = registry.groupUUID(name: "Leads")
                        return try await (key, uuid)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(results.map(\.0)) == ["lead_status"])
            #expect(Set(results.map(\.1)).count == 1)
            let stats = h.sandbox.stats()
            #expect(stats.count(endpoint: "fields.json", method: "POST") == 1)
            #expect(stats.count(endpoint: "groups.json", method: "POST") == 1)
            #expect(h.sandbox.state().groups.map(\.name) == ["Leads"])
        }
    }

    @Test func twoInstancesRacingAgreeOnOneFieldAndGroup() async throws {
        try await ClientHarness.with { h in
            let registries = (0..<6).map { _ in Registry(client: h.client) }
            let results = try await withThrowingTaskGroup(of: (String, String).self) { group in
                for registry in registries {
                    group.addTask {
                        try await (registry.ensureField(key: "plan", type: .text), registry.groupUUID(name: "VIP"))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(results.map(\.0)) == ["plan"])
            #expect(Set(results.map(\.1)).count == 1)
            #expect(h.sandbox.state().fields.filter { $0.key == "plan" }.count == 1)
            #expect(h.sandbox.state().groups.filter { $0.name == "VIP" }.count == 1)
        }
    }

    @Test func groupNamesMatchIgnoringCaseAndPreloadSavesRequests() async throws {
        try await ClientHarness.with { h in
            let existing = try await h.client.createGroup(name: "Customers")
            _ = try await h.client.createField(label: "Score", type: .number)
            let registry = Registry(client: h.client)
            try await registry.preload()
            let before = h.sandbox.stats().total
            #expect(try await registry.groupUUID(name: "customers") == existing.uuid)
            #expect(try await registry.ensureField(key: "score", type: .number) == "score")
            #expect(h.sandbox.stats().total == before, "answered from the cache")
        }
    }

    @Test func aKeyNoNameDerivesIsRefusedBeforeAnyCreate() async throws {
        try await ClientHarness.with { h in
            let registry = Registry(client: h.client)
            try await registry.preload()
            let before = h.sandbox.stats().total
            let error = await #expect(throws: FieldKeyProblem.self) {
                _ = try await registry.ensureField(key: "has", type: .text)
            }
            #expect(error?.key == "has")
            #expect(h.sandbox.stats().total == before, "no create was sent")
        }
    }

    @Test func aMissingFieldIsCreatedUnderTheNameDerivingItsKey() async throws {
        try await ClientHarness.with { h in
            let registry = Registry(client: h.client)
            let key = try await registry.ensureField(key: "signup_date", type: .datetime)
            #expect(key == "signup_date")
            #expect(h.sandbox.state().fields.map(\.key) == ["signup_date"])
            let stats = h.sandbox.stats()
            #expect(stats.count(endpoint: "fields.json", method: "GET") == 1, "one paginated read")
            #expect(stats.count(endpoint: "fields.json", method: "POST") == 1)
        }
    }
}
