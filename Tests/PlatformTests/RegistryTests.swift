import PlatformClient
import Testing

@Suite struct RegistryTests {
    @Test func fiftyConcurrentEnsuresMakeOneCreateEach() async throws {
        try await ClientHarness.with { h in
            let registry = Registry(client: h.client)
            let results = try await withThrowingTaskGroup(of: (String, String).self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        async let key = registry.fieldKey(label: "Lead status", type: .text)
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
                        try await (registry.fieldKey(label: "Plan", type: .text), registry.groupUUID(name: "VIP"))
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
            #expect(try await registry.fieldKey(label: "Score", type: .number) == "score")
            #expect(h.sandbox.stats().total == before, "answered from the cache")
        }
    }

    @Test func anInvalidLabelIsRefusedBeforeAnyCall() async throws {
        try await ClientHarness.with { h in
            let registry = Registry(client: h.client)
            let error = await #expect(throws: PlatformError.self) {
                _ = try await registry.fieldKey(label: "Name", type: .text)
            }
            #expect(error?.status == 400)
            #expect(h.sandbox.stats().total == 0)
        }
    }
}
