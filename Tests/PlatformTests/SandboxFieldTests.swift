import JSON
import Testing

@testable import PlatformSandbox

/// fields.json: both spellings, key generation, reserved and duplicate labels, update, limit.
@Suite struct SandboxFieldTests {
    let path = "/api/v2/fields.json"

    @Test func currentSpellingAnswersWithBoth() async throws {
        try await SandboxHarness.with { h in
            let field = try await h.post(path, ["name": "Nick name", "type": "text"], expecting: 201)
            #expect(field["key"] == "nick_name")
            #expect(field["name"] == "Nick name")
            #expect(field["label"] == "Nick name")
            #expect(field["type"] == "text")
            #expect(field["value_type"] == "text")
        }
    }

    @Test func olderSpellingWithNumericAnswersWithBoth() async throws {
        try await SandboxHarness.with { h in
            let field = try await h.post(path, ["label": "Age", "value_type": "numeric"], expecting: 201)
            #expect(field["key"] == "age")
            #expect(field["name"] == "Age")
            #expect(field["label"] == "Age")
            #expect(field["type"] == "number")
            #expect(field["value_type"] == "numeric")
            let types = try await h.listAll(path).results.compactMap { $0["type"]?.string }
            #expect(types == ["number"])
        }
    }

    @Test func everyTypeIsAccepted() async throws {
        try await SandboxHarness.with { h in
            for type in ["text", "number", "datetime", "state", "district", "ward"] {
                let field = try await h.post(
                    path, ["name": .string("F \(type)"), "type": .string(type)], expecting: 201)
                #expect(field["type"] == .string(type))
            }
            let reply = try await h.call(.POST, path, json: ["name": "Video", "type": "video"])
            #expect(reply.status == 400)
            #expect(reply.body == ["type": ["\"video\" is not a valid choice."]])
            let old = try await h.call(.POST, path, json: ["label": "Video", "value_type": "video"])
            #expect(old.body == ["value_type": ["\"video\" is not a valid choice."]])
        }
    }

    @Test func keyIsGeneratedFromTheLabel() async throws {
        try await SandboxHarness.with { h in
            let cases: [(String, String)] = [
                ("Registered On", "registered_on"), ("Side-Kick  2", "side_kick_2"),
                ("A 36 character label with dashes ok", "a_36_character_label_with_dashes_ok"),
            ]
            for (label, key) in cases {
                let field = try await h.post(path, ["name": .string(label), "type": "text"], expecting: 201)
                #expect(field["key"] == .string(key), "label \(label)")
            }
        }
    }

    @Test func badLabelsAreRefusedInTheSpellingUsed() async throws {
        try await SandboxHarness.with { h in
            let symbols = try await h.call(.POST, path, json: ["name": "!@#$%", "type": "text"])
            #expect(symbols.status == 400)
            #expect(symbols.body == ["name": ["Can only contain letters, numbers and hypens."]])
            let tooLong = try await h.call(
                .POST, path, json: ["label": .string(String(repeating: "a", count: 37)), "value_type": "text"])
            #expect(tooLong.body == ["label": ["Ensure this field has no more than 36 characters."]])
            // TextIt reserves only has, is, fields, urns, created_on and last_seen_on.
            for reserved in ["Has", "is", "Fields", "Created On", "urns", "Last Seen On"] {
                let key = FieldNameRules.key(forName: reserved)
                let reply = try await h.call(.POST, path, json: ["name": .string(reserved), "type": "text"])
                #expect(reply.status == 400, "label \(reserved)")
                #expect(
                    reply["name"]?.messages == ["Generated key \"\(key)\" is invalid or a reserved name."],
                    "label \(reserved)")
            }
            #expect(h.sandbox.state().fields.isEmpty)
        }
    }

    @Test func duplicateLabelsAreRefusedIgnoringCase() async throws {
        try await SandboxHarness.with { h async throws in
            _ = try await h.post(path, ["name": "Nick name", "type": "text"], expecting: 201)
            let same = try await h.call(.POST, path, json: ["label": "nick name", "value_type": "text"])
            #expect(same.status == 400)
            #expect(same.body == ["label": ["This field must be unique."]])
            // A different name deriving the same key: TextIt's serializer lets it through and
            // `ContactField.create` asserts, so the platform answers its plain 500 page.
            let sameKey = try await h.call(.POST, path, json: ["name": "Nick-Name", "type": "text"])
            #expect(sameKey.status == 500)
            #expect(sameKey.body == nil)
            #expect(h.sandbox.state().fields.count == 1)
        }
    }

    @Test func missingMembersAreRefused() async throws {
        try await SandboxHarness.with { h async throws in
            #expect(
                try await h.call(.POST, path, json: [:]).body == ["non_field_errors": ["Field 'name' is required."]])
            #expect(
                try await h.call(.POST, path, json: ["name": "Goats"]).body == [
                    "non_field_errors": ["Field 'type' is required."]
                ])
        }
    }

    @Test func updateByKeyRenamesAndRetypesButKeepsTheKey() async throws {
        try await SandboxHarness.with { h in
            _ = try await h.post(path, ["name": "Age", "type": "number"], expecting: 201)
            let updated = try await h.post("\(path)?key=age", ["name": "Real Age", "type": "datetime"], expecting: 200)
            #expect(updated["key"] == "age")
            #expect(updated["name"] == "Real Age")
            #expect(updated["type"] == "datetime")
            #expect(h.sandbox.state().fields.map(\.label) == ["Real Age"])
            let missing = try await h.call(.POST, "\(path)?key=nope", json: ["name": "Something", "type": "text"])
            #expect(missing.status == 404)
            #expect(missing.body == ["detail": "Not found."])
        }
    }

    @Test func listByKey() async throws {
        try await SandboxHarness.with { h in
            _ = try await h.post(path, ["name": "Nick name", "type": "text"], expecting: 201)
            _ = try await h.post(path, ["name": "Age", "type": "number"], expecting: 201)
            let all = try await h.listAll(path).results.compactMap { $0["key"]?.string }
            #expect(all == ["age", "nick_name"])  // newest first
            let one = try await h.listAll("\(path)?key=nick_name").results.compactMap { $0["key"]?.string }
            #expect(one == ["nick_name"])
        }
    }

    @Test func atMost250FieldsPerWorkspace() async throws {
        try await SandboxHarness.with { h in
            for index in 0..<250 {
                _ = try await h.post(path, ["name": .string("Field \(index)"), "type": "text"], expecting: 201)
            }
            let reply = try await h.call(.POST, path, json: ["name": "One more", "type": "text"])
            #expect(reply.status == 409)
            #expect(reply.body == ["detail": "Cannot create object because workspace has reached limit."])
            #expect(h.sandbox.state().fields.count == 250)
        }
    }
}
