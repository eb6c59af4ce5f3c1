import JSON
import Testing

@testable import PlatformSandbox

/// contacts.json writes: create, update by UUID or URN, delete — spec rows of "contacts.json".
@Suite struct SandboxContactWriteTests {
    let path = "/api/v2/contacts.json"

    @Test func createAnswers201WithTheContactObject() async throws {
        try await SandboxHarness.with { h in
            _ = try await h.post("/api/v2/fields.json", ["name": "Nickname", "type": "text"], expecting: 201)
            _ = try await h.post("/api/v2/fields.json", ["name": "Side kick", "type": "text"], expecting: 201)
            let devs = try await h.post("/api/v2/groups.json", ["name": "Devs"], expecting: 201)
            let contact = try await h.post(
                path,
                [
                    "name": "Ben Haggerty", "language": "eng",
                    "urns": ["tel:+250788123123", "whatsapp:250788123123", "mailto:Ben@Example.com", "ext:123456"],
                    "groups": [devs["uuid"]!], "fields": ["nickname": "Macklemore"],
                ], expecting: 201)
            #expect(
                Set(contact.memberNames) == [
                    "uuid", "name", "status", "language", "urns", "groups", "fields",
                    "flow", "created_on", "modified_on", "last_seen_on",
                ])
            #expect(contact["name"] == "Ben Haggerty")
            #expect(contact["status"] == "active")
            #expect(contact["language"] == "eng")
            #expect(
                contact["urns"] == [
                    "tel:+250788123123", "whatsapp:250788123123", "mailto:ben@example.com", "ext:123456",
                ])
            #expect(contact["groups"] == [["uuid": devs["uuid"]!, "name": "Devs"]])
            // Every field of the workspace appears, unset ones as null.
            #expect(contact["fields"] == ["nickname": "Macklemore", "side_kick": nil])
            #expect(contact["flow"] == .null)
            #expect(contact["last_seen_on"] == .null)
            #expect(contact["uuid"]?.string?.count == 36)
            #expect(contact["created_on"]?.string?.hasSuffix("Z") == true)
        }
    }

    @Test func emptyBodyCreatesAnEmptyContact() async throws {
        try await SandboxHarness.with { h in
            let contact = try await h.post(path, [:], expecting: 201)
            #expect(contact["name"] == .null)
            #expect(contact["language"] == .null)
            #expect(contact["urns"] == [])
            #expect(h.sandbox.state().contacts.count == 1)
        }
    }

    @Test func updateByUUIDChangesOnlyTheGivenMembers() async throws {
        try await SandboxHarness.with { h in
            _ = try await h.post("/api/v2/fields.json", ["name": "Nickname", "type": "text"], expecting: 201)
            let created = try await h.post(
                path,
                [
                    "name": "Jean", "language": "fra", "urns": ["ext:jean"],
                    "fields": ["nickname": "Jado"],
                ], expecting: 201)
            let uuid = created["uuid"]!.string!
            let renamed = try await h.post("\(path)?uuid=\(uuid)", ["name": "Jean II"], expecting: 200)
            #expect(renamed["name"] == "Jean II")
            #expect(renamed["language"] == "fra")
            #expect(renamed["urns"] == ["ext:jean"])
            #expect(renamed["fields"] == ["nickname": "Jado"])
            let reurned = try await h.post(
                "\(path)?uuid=\(uuid)", ["urns": ["ext:jean", "tel:+250784444444"]], expecting: 200)
            #expect(reurned["urns"] == ["ext:jean", "tel:+250784444444"])
            #expect(reurned["name"] == "Jean II")
        }
    }

    @Test func updateByUnknownUUIDIs404() async throws {
        try await SandboxHarness.with { h in
            let reply = try await h.call(
                .POST, "\(path)?uuid=ad6acad9-959b-4d70-b144-5de2891e4d00", json: ["name": "X"])
            #expect(reply.status == 404)
            #expect(reply.body == ["detail": "Not found."])
        }
    }

    @Test func upsertByURNCreatesWith201ThenUpdatesWith200() async throws {
        try await SandboxHarness.with { h in
            let created = try await h.call(.POST, "\(path)?urn=ext%3A42", json: ["name": "Bobby"])
            #expect(created.status == 201)
            #expect(created["urns"] == ["ext:42"])
            #expect(created["name"] == "Bobby")
            let updated = try await h.call(.POST, "\(path)?urn=ext%3A42", json: ["language": "por"])
            #expect(updated.status == 200)
            #expect(updated["uuid"] == created["uuid"])
            #expect(updated["name"] == "Bobby")
            #expect(updated["language"] == "por")
            #expect(h.sandbox.state().contacts.count == 1)
        }
    }

    @Test func upsertByURNNormalisesTheURLsURN() async throws {
        try await SandboxHarness.with { h in
            let created = try await h.post(path, ["urns": ["tel:+250785555555", "twitter:xavier"]], expecting: 201)
            // `tel:+250-78-5555555` URL-encoded; the contact keeps its other URNs.
            let updated = try await h.call(.POST, "\(path)?urn=tel%3A%2B250-78-5555555", json: ["name": "Xavier"])
            #expect(updated.status == 200)
            #expect(updated["uuid"] == created["uuid"])
            #expect(updated["urns"] == ["tel:+250785555555", "twitter:xavier"])
        }
    }

    @Test func upsertByURNRefusesURNsInTheBody() async throws {
        try await SandboxHarness.with { h in
            let reply = try await h.call(.POST, "\(path)?urn=ext%3A1", json: ["urns": ["ext:2"]])
            #expect(reply.status == 400)
            #expect(reply.body == ["urns": ["Field not allowed when using URN in URL"]])
            #expect(h.sandbox.state().contacts.isEmpty)
        }
    }

    @Test func bothUUIDAndURNInTheURLAreRefused() async throws {
        try await SandboxHarness.with { h in
            let contact = try await h.post(path, ["urns": ["ext:1"]], expecting: 201)
            let uuid = contact["uuid"]!.string!
            let reply = try await h.call(.POST, "\(path)?uuid=\(uuid)&urn=ext%3A1", json: [:])
            #expect(reply.status == 400)
            #expect(reply.body == ["detail": "URL can only contain one of the following parameters: urn, uuid"])
        }
    }

    @Test func deleteByUUIDAndByURNAnswer204ThenMissingIs404() async throws {
        try await SandboxHarness.with { h in
            let first = try await h.post(path, ["urns": ["ext:1"]], expecting: 201)
            _ = try await h.post(path, ["urns": ["twitter:xavier"]], expecting: 201)
            let byUUID = try await h.call(.DELETE, "\(path)?uuid=\(first["uuid"]!.string!)")
            #expect(byUUID.status == 204)
            #expect(byUUID.body == nil)
            // By URN, normalised (twitter handles are lower-cased by the platform).
            let byURN = try await h.call(.DELETE, "\(path)?urn=twitter%3Axavier")
            #expect(byURN.status == 204)
            #expect(h.sandbox.state().contacts.isEmpty)
            let again = try await h.call(.DELETE, "\(path)?urn=ext%3A1")
            #expect(again.status == 404)
            #expect(again.body == ["detail": "Not found."])
            let noParameter = try await h.call(.DELETE, path)
            #expect(noParameter.status == 400)
            #expect(noParameter.body == ["detail": "URL must contain one of the following parameters: urn, uuid"])
        }
    }

    @Test func deletingAContactFreesItsURNs() async throws {
        try await SandboxHarness.with { h in
            _ = try await h.post(path, ["urns": ["ext:1"]], expecting: 201)
            #expect(try await h.call(.DELETE, "\(path)?urn=ext%3A1").status == 204)
            let reused = try await h.call(.POST, path, json: ["urns": ["ext:1"]])
            #expect(reused.status == 201)
        }
    }
}
