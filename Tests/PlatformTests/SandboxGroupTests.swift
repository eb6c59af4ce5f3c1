import JSON
import Testing

@testable import PlatformSandbox

/// groups.json: create, names, uniqueness, rename, delete, limits, list filters.
@Suite struct SandboxGroupTests {
    let path = "/api/v2/groups.json"

    @Test func createAnswers201WithTheGroupObject() async throws {
        try await SandboxHarness.with { h in
            let group = try await h.post(path, ["name": "Reporters"], expecting: 201)
            #expect(group["name"] == "Reporters")
            #expect(group["query"] == .null)
            #expect(group["status"] == "ready")
            #expect(group["system"] == false)
            #expect(group["count"] == 0)
            #expect(group["uuid"]?.string?.count == 36)
        }
    }

    @Test func namesAreUniqueIgnoringCase() async throws {
        try await SandboxHarness.with { h in
            _ = try await h.post(path, ["name": "Reporters"], expecting: 201)
            let reply = try await h.call(.POST, path, json: ["name": "REPORTERS"])
            #expect(reply.status == 400)
            #expect(reply.body == ["name": ["This field must be unique."]])
            #expect(h.sandbox.state().groups.count == 1)
        }
    }

    @Test func namesAreAtMost64WithoutSurroundingSpaces() async throws {
        try await SandboxHarness.with { h in
            let long = try await h.call(.POST, path, json: ["name": .string(String(repeating: "x", count: 65))])
            // NameValidator's text, then DRF's max_length: both are reported.
            #expect(
                long.body == [
                    "name": [
                        "Cannot be longer than 64 characters.", "Ensure this field has no more than 64 characters.",
                    ]
                ])
            // DRF trims surrounding whitespace before any check.
            for padded in [" Devs", "Devs ", "\tDevs"] {
                let reply = try await h.call(.POST, path, json: ["name": .string(padded)])
                #expect(reply.status == (padded == " Devs" ? 201 : 400), "name '\(padded)'")
                #expect(
                    reply["name"] == (padded == " Devs" ? "Devs" : ["This field must be unique."]), "name '\(padded)'")
            }
            #expect(try await h.call(.POST, path, json: [:]).body == ["name": ["This field is required."]])
            #expect(
                try await h.call(.POST, path, json: ["name": ""]).body == ["name": ["This field may not be blank."]])
            _ = try await h.post(path, ["name": .string(String(repeating: "x", count: 64))], expecting: 201)
        }
    }

    @Test func renameByUUID() async throws {
        try await SandboxHarness.with { h in
            let group = try await h.post(path, ["name": "Reporters"], expecting: 201)
            _ = try await h.post(path, ["name": "Checked"], expecting: 201)
            let uuid = group["uuid"]!.string!
            let renamed = try await h.post("\(path)?uuid=\(uuid)", ["name": "U-Reporters"], expecting: 200)
            #expect(renamed["uuid"] == group["uuid"])
            #expect(renamed["name"] == "U-Reporters")
            // Changing only the case of its own name is fine; taking another group's is not.
            _ = try await h.post("\(path)?uuid=\(uuid)", ["name": "u-reporters"], expecting: 200)
            let clash = try await h.call(.POST, "\(path)?uuid=\(uuid)", json: ["name": "checked"])
            #expect(clash.body == ["name": ["This field must be unique."]])
            let missing = try await h.call(
                .POST, "\(path)?uuid=5f05311e-8f81-4a67-a5b5-1501b6d6496a", json: ["name": "X"])
            #expect(missing.status == 404)
        }
    }

    @Test func deleteAnswers204Then404AndLeavesMembers() async throws {
        try await SandboxHarness.with { h in
            let group = try await h.post(path, ["name": "Devs"], expecting: 201)
            let uuid = group["uuid"]!.string!
            _ = try await h.post(
                "/api/v2/contacts.json", ["urns": ["ext:1"], "groups": [.string(uuid)]], expecting: 201)
            #expect(h.sandbox.state().group(named: "Devs")?.count == 1)
            #expect(try await h.call(.DELETE, "\(path)?uuid=\(uuid)").status == 204)
            let again = try await h.call(.DELETE, "\(path)?uuid=\(uuid)")
            #expect(again.status == 404)
            #expect(again.body == ["detail": "Not found."])
            #expect(h.sandbox.state().contacts.map(\.groups) == [[]])
            let noParameter = try await h.call(.DELETE, path)
            #expect(noParameter.body == ["detail": "URL must contain one of the following parameters: uuid"])
        }
    }

    @Test func aGroupInUseCannotBeDeleted() async throws {
        try await SandboxHarness.with { h in
            let seeded = try h.sandbox.seedGroup(name: "Customers", usedBy: "campaigns")
            let reply = try await h.call(.DELETE, "\(path)?uuid=\(seeded.uuid)")
            #expect(reply.status == 400)
            #expect(reply.body == ["detail": "Group is being used by campaigns which must be archived first."])
            #expect(h.sandbox.state().group(named: "Customers") != nil)
        }
    }

    @Test func listByUUIDOrNameIgnoringCase() async throws {
        try await SandboxHarness.with { h in
            let devs = try await h.post(path, ["name": "Developers"], expecting: 201)
            _ = try await h.post(path, ["name": "Customers"], expecting: 201)
            try h.sandbox.seedGroup(name: "Smart", query: "age > 18")
            let all = try await h.listAll(path).results
            // TextIt's own smart system group "Open Tickets" is listed too, oldest.
            #expect(all.compactMap { $0["name"]?.string } == ["Smart", "Customers", "Developers", "Open Tickets"])
            #expect(all.first?["query"] == "age > 18")
            let byName = try await h.listAll("\(path)?name=developers").results
            #expect(byName.compactMap { $0["uuid"] } == [devs["uuid"]!])
            let byUUID = try await h.listAll("\(path)?uuid=\(devs["uuid"]!.string!)").results
            #expect(byUUID.compactMap { $0["name"]?.string } == ["Developers"])
            let both = try await h.call(.GET, "\(path)?uuid=\(devs["uuid"]!.string!)&name=developers")
            #expect(both.body == ["detail": "You may only specify one of the uuid, name parameters"])
        }
    }

    @Test func atMost250GroupsPerWorkspace() async throws {
        try await SandboxHarness.with { h in
            for index in 0..<250 {
                _ = try await h.post(path, ["name": .string("Group \(index)")], expecting: 201)
            }
            let reply = try await h.call(.POST, path, json: ["name": "One more"])
            #expect(reply.status == 409)
            #expect(reply.body == ["detail": "Cannot create object because workspace has reached limit."])
        }
    }
}
