import JSON
import Testing

@testable import PlatformSandbox

/// contact_actions.json: the bulk write, the same rules in every flavour but the list-size text.
@Suite struct SandboxContactActionsTests {
    @Test(arguments: SandboxFlavor.allCases)
    func addAndRemoveChangeOneGroupOnly(flavor: SandboxFlavor) async throws {
        try await SandboxHarness.with(flavor: flavor) { h in
            _ = try await h.post("/api/v2/groups.json", ["name": "VIP"], expecting: 201)
            _ = try await h.post("/api/v2/groups.json", ["name": "Flowed"], expecting: 201)
            let a = try await h.createContact(["ext:a"], [("groups", ["Flowed"])])
            _ = try await h.createContact(["ext:b"])
            let add = try await h.call(
                .POST, "/api/v2/contact_actions.json",
                json: ["contacts": [.string(a), "ext:b"], "action": "add", "group": "vip"])
            #expect(add.status == 204)
            #expect(add.body == nil)
            #expect(h.sandbox.state().contact(urn: "ext:a")?.groups == ["Flowed", "VIP"])
            #expect(h.sandbox.state().contact(urn: "ext:b")?.groups == ["VIP"])
            let remove = try await h.call(
                .POST, "/api/v2/contact_actions.json",
                json: ["contacts": ["ext:a"], "action": "remove", "group": "VIP"])
            #expect(remove.status == 204)
            #expect(h.sandbox.state().contact(urn: "ext:a")?.groups == ["Flowed"])
            #expect(h.sandbox.state().group(named: "VIP")?.count == 1)
        }
    }

    @Test(arguments: SandboxFlavor.allCases)
    func anUnknownContactFailsTheWholeCall(flavor: SandboxFlavor) async throws {
        try await SandboxHarness.with(flavor: flavor) { h in
            _ = try await h.createContact(["ext:a"])
            let reply = try await h.call(
                .POST, "/api/v2/contact_actions.json", json: ["contacts": ["ext:a", "ext:ghost"], "action": "block"])
            #expect(reply.status == 400)
            #expect(reply.body == ["contacts": ["No such object: ext:ghost"]])
            #expect(h.sandbox.state().contact(urn: "ext:a")?.status == .active)
        }
    }

    @Test(arguments: SandboxFlavor.allCases)
    func blockUnblockAndAddingANonActiveContact(flavor: SandboxFlavor) async throws {
        try await SandboxHarness.with(flavor: flavor) { h in
            _ = try await h.post("/api/v2/groups.json", ["name": "VIP"], expecting: 201)
            let uuid = try await h.createContact(["ext:a"], [("groups", ["VIP"])])
            #expect(
                try await h.call(
                    .POST, "/api/v2/contact_actions.json", json: ["contacts": ["ext:a"], "action": "block"]
                ).status == 204)
            let blocked = try await h.call(.GET, "/api/v2/contacts.json?uuid=\(uuid)")["results"]?.items.first
            #expect(blocked?["status"] == "blocked")
            #expect(blocked?["groups"] == [])
            let add = try await h.call(
                .POST, "/api/v2/contact_actions.json",
                json: ["contacts": [.string(uuid)], "action": "add", "group": "VIP"])
            #expect(add.status == 400)
            #expect(
                add.body == ["non_field_errors": [.string("Non-active contacts cannot be added to groups: \(uuid)")]])
            #expect(
                try await h.call(
                    .POST, "/api/v2/contact_actions.json", json: ["contacts": ["ext:a"], "action": "unblock"]
                ).status == 204)
            #expect(h.sandbox.state().contact(urn: "ext:a")?.status == .active)
        }
    }

    @Test(arguments: SandboxFlavor.allCases)
    func deleteReleasesURNs(flavor: SandboxFlavor) async throws {
        try await SandboxHarness.with(flavor: flavor) { h in
            _ = try await h.createContact(["ext:a"])
            _ = try await h.createContact(["ext:b"])
            #expect(
                try await h.call(
                    .POST, "/api/v2/contact_actions.json", json: ["contacts": ["ext:a", "ext:b"], "action": "delete"]
                ).status == 204)
            #expect(h.sandbox.state().contacts.isEmpty)
            #expect(try await h.call(.POST, "/api/v2/contacts.json?urn=ext:a", json: [:]).status == 201)
            // Deleted contacts are no objects any more.
            let again = try await h.call(
                .POST, "/api/v2/contact_actions.json", json: ["contacts": ["ext:b"], "action": "interrupt"])
            #expect(again.body == ["contacts": ["No such object: ext:b"]])
        }
    }

    @Test(arguments: SandboxFlavor.allCases)
    func refusedBodies(flavor: SandboxFlavor) async throws {
        try await SandboxHarness.with(flavor: flavor) { h in
            _ = try await h.createContact(["ext:a"])
            try h.sandbox.seedGroup(name: "Smart", query: "age > 18")
            let cases: [(JSON, JSON)] = [
                (
                    ["contacts": .array((0...100).map { .string("ext:\($0)") }), "action": "block"],
                    ["contacts": [.string(flavor.tooManyItems(100))]]
                ),
                (["contacts": [], "action": "block"], ["contacts": ["Contacts can't be empty."]]),
                (["contacts": ["ext:a"], "action": "explode"], ["action": ["\"explode\" is not a valid choice."]]),
                (
                    ["contacts": ["ext:a"], "action": "add"],
                    ["non_field_errors": ["For action \"add\" you should also specify a group"]]
                ),
                (
                    ["contacts": ["ext:a"], "action": "block", "group": "Smart"],
                    ["group": ["Contact group must not be query based: Smart"]]
                ),
                (["action": "block"], ["contacts": ["This field is required."]]),
            ]
            for (body, expected) in cases {
                let reply = try await h.call(.POST, "/api/v2/contact_actions.json", json: body)
                #expect(reply.status == 400, "\(body.serialized())")
                #expect(reply.body == expected, "\(body.serialized())")
            }
            let archive = try await h.call(
                .POST, "/api/v2/contact_actions.json", json: ["contacts": ["ext:a"], "action": "archive_messages"])
            #expect(archive.status == 204)
        }
    }
}
