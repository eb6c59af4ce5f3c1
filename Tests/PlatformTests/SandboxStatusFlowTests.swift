import JSON
import Testing

@testable import PlatformSandbox

/// Contact statuses set as an agent or an opt-out would, and the simulated trigger flow.
@Suite struct SandboxStatusFlowTests {
    @Test(arguments: SandboxFlavor.allCases)
    func aNonActiveContactCannotBeGivenGroups(flavor: SandboxFlavor) async throws {
        try await SandboxHarness.with(flavor: flavor) { h in
            _ = try await h.post("/api/v2/groups.json", ["name": "VIP"], expecting: 201)
            let uuid = try await h.createContact(["ext:a"])
            let set = try await h.call(
                .POST, "/_sandbox/contacts/status", json: ["contact": "ext:a", "status": "stopped"], authorization: nil)
            #expect(set.status == 200)
            #expect(set["status"] == "stopped")
            let refused = try await h.call(.POST, "/api/v2/contacts.json?uuid=\(uuid)", json: ["groups": ["VIP"]])
            #expect(refused.status == 400)
            #expect(refused.body == ["groups": ["Non-active contacts can't be added to groups"]])
            // An empty list is allowed, and other members still change.
            let emptied = try await h.call(
                .POST, "/api/v2/contacts.json?uuid=\(uuid)", json: ["groups": [], "name": "Quiet"])
            #expect(emptied.status == 200)
            #expect(emptied["status"] == "stopped")
            try h.sandbox.setContactStatus(uuid, to: .archived)
            #expect(h.sandbox.state().contacts.first?.status == .archived)
        }
    }

    @Test func theAdminStatusEndpointRefusesUnknownContactsAndStatuses() async throws {
        try await SandboxHarness.with { h in
            let unknown = try await h.call(
                .POST, "/_sandbox/contacts/status", json: ["contact": "ext:none", "status": "blocked"],
                authorization: nil)
            #expect(unknown.status == 404)
            _ = try await h.createContact(["ext:a"])
            let bad = try await h.call(
                .POST, "/_sandbox/contacts/status", json: ["contact": "ext:a", "status": "asleep"], authorization: nil)
            #expect(bad.status == 400)
            #expect(throws: SandboxAdminError.self) { try h.sandbox.setContactStatus("ext:none", to: .blocked) }
        }
    }

    @Test(arguments: SandboxFlavor.allCases)
    func aTriggerFlowPutsNewContactsInItsGroup(flavor: SandboxFlavor) async throws {
        try await SandboxHarness.with(flavor: flavor, flow: SandboxFlow(groupOnCreate: "Opted In")) { h in
            let created = try await h.call(.POST, "/api/v2/contacts.json?urn=ext:a", json: ["name": "Ana"])
            #expect(created.status == 201)
            #expect(created["groups"]?.items.map { $0["name"] } == ["Opted In"])
            // Updates do not trigger it; a groups replace drops what the flow added.
            let replaced = try await h.call(.POST, "/api/v2/contacts.json?urn=ext:a", json: ["groups": []])
            #expect(replaced["groups"] == [])
            // Switched off through the admin API.
            let off = try await h.call(.POST, "/_sandbox/flow", json: ["groupOnCreate": nil], authorization: nil)
            #expect(off.status == 200)
            _ = try await h.createContact(["ext:b"])
            #expect(h.sandbox.state().contact(urn: "ext:b")?.groups == [])
            _ = try await h.call(.POST, "/_sandbox/flow", json: ["groupOnCreate": "Opted In"], authorization: nil)
            _ = try await h.createContact(["ext:c"])
            #expect(h.sandbox.state().contact(urn: "ext:c")?.groups == ["Opted In"])
            #expect(h.sandbox.flow() == SandboxFlow(groupOnCreate: "Opted In"))
        }
    }
}
