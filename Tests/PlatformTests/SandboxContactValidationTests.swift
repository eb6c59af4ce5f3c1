import JSON
import Testing

@testable import PlatformSandbox

/// contacts.json validation: URNs, language, name, limits, groups, fields and their types.
@Suite struct SandboxContactValidationTests {
    let path = "/api/v2/contacts.json"

    @Test func urnsAreNormalised() async throws {
        try await SandboxHarness.with { h in
            let contact = try await h.post(
                path,
                [
                    "urns": [
                        "tel:+250 (788) 123-123", "whatsapp:558299331122", "mailto:John.Dalton@Ilhasoft.com.br",
                        "ext:AbC-1",
                    ]
                ], expecting: 201)
            #expect(
                contact["urns"] == [
                    "tel:+250788123123", "whatsapp:558299331122", "mailto:john.dalton@ilhasoft.com.br", "ext:AbC-1",
                ])
        }
    }

    @Test func invalidURNsAreRefusedByIndex() async throws {
        try await SandboxHarness.with { h in
            let reply = try await h.call(.POST, path, json: ["urns": ["ext:ok", "foo", "tel:", "nosuch:123"]])
            #expect(reply.status == 400)
            #expect(
                reply.body == [
                    "urns": [
                        "1": ["Invalid URN: foo. Ensure phone numbers contain country codes."],
                        "2": ["Invalid URN: tel:. Ensure phone numbers contain country codes."],
                        "3": ["Invalid URN: nosuch:123. Ensure phone numbers contain country codes."],
                    ]
                ])
            #expect(h.sandbox.state().contacts.isEmpty)
        }
    }

    @Test func aURNHeldByAnotherContactIsRefused() async throws {
        try await SandboxHarness.with { h in
            let owner = try await h.post(path, ["urns": ["tel:+250785555555"]], expecting: 201)
            let reply = try await h.call(
                .POST, path, json: ["name": "Robert", "urns": ["ext:r", "tel:+250-78-5555555"]])
            #expect(reply.status == 400)
            // TextIt (the default flavour): mailroom's text at save time, keyed by index.
            #expect(reply.body == ["urns": ["1": ["URN is in use by another contact."]]])
            // The owner may repeat its own URN on update.
            let uuid = owner["uuid"]!.string!
            #expect(
                try await h.call(.POST, "\(path)?uuid=\(uuid)", json: ["urns": ["tel:+250785555555"]]).status == 200)
        }
    }

    @Test func languageMustBeISO6393() async throws {
        try await SandboxHarness.with { h in
            let refusals: [(String, String)] = [
                ("xyz", "Not a valid ISO639-3 language code."), ("en", "Ensure this field has at least 3 characters."),
                ("english", "Ensure this field has no more than 3 characters."), ("", "This field may not be blank."),
            ]
            for (bad, message) in refusals {
                let reply = try await h.call(.POST, path, json: ["language": .string(bad)])
                #expect(reply.status == 400, "language \(bad)")
                #expect(reply.body == ["language": [.string(message)]], "language \(bad)")
            }
            // pycountry's lookup ignores case; the code is kept as sent.
            #expect(try await h.call(.POST, path, json: ["language": "ENG"])["language"] == "ENG")
            let contact = try await h.post(path, ["language": "por"], expecting: 201)
            #expect(contact["language"] == "por")
            let cleared = try await h.post(
                "\(path)?uuid=\(contact["uuid"]!.string!)", ["language": nil], expecting: 200)
            #expect(cleared["language"] == .null)
        }
    }

    @Test func nameIsAtMost64Characters() async throws {
        try await SandboxHarness.with { h in
            let reply = try await h.call(.POST, path, json: ["name": .string(String(repeating: "x", count: 65))])
            #expect(reply.status == 400)
            #expect(reply.body == ["name": ["Ensure this field has no more than 64 characters."]])
            let ok = try await h.post(path, ["name": .string(String(repeating: "x", count: 64))], expecting: 201)
            #expect(ok["name"]?.string?.count == 64)
        }
    }

    @Test func everyBadMemberIsReportedAtOnce() async throws {
        try await SandboxHarness.with { h in
            let reply = try await h.call(
                .POST, path,
                json: [
                    "name": "Jim", "language": "xyz", "urns": ["1234556789"],
                    "groups": ["59686b4e-14bc-4160-9376-b649b218c806"], "fields": ["hmmm": "X"],
                ])
            #expect(reply.status == 400)
            #expect(
                reply.body == [
                    "language": ["Not a valid ISO639-3 language code."],
                    "urns": ["0": ["Invalid URN: 1234556789. Ensure phone numbers contain country codes."]],
                    "groups": ["No such object: 59686b4e-14bc-4160-9376-b649b218c806"],
                    "fields": ["Invalid contact field key: hmmm"],
                ])
        }
    }

    @Test func atMost100URNsGroupsAndFields() async throws {
        try await SandboxHarness.with { h in
            let tooMany = "Ensure this field has no more than 100 elements."
            let urns = JSON.array((0..<101).map { .string("ext:u\($0)") })
            #expect(try await h.call(.POST, path, json: ["urns": urns]).body == ["urns": [.string(tooMany)]])
            let groups = JSON.array((0..<101).map { .string("g\($0)") })
            #expect(try await h.call(.POST, path, json: ["groups": groups]).body == ["groups": [.string(tooMany)]])
            let fields = JSON.object((0..<101).map { ("field_\($0)", .string("x")) })
            #expect(try await h.call(.POST, path, json: ["fields": fields]).body == ["fields": [.string(tooMany)]])
            // Exactly 100 URNs is fine.
            let hundred = JSON.array((0..<100).map { .string("ext:u\($0)") })
            let contact = try await h.post(path, ["urns": hundred], expecting: 201)
            #expect(contact["urns"]?.items.count == 100)
        }
    }

    @Test func groupsByUUIDOrNameAndSmartGroupsRefused() async throws {
        try await SandboxHarness.with { h in
            let devs = try await h.post("/api/v2/groups.json", ["name": "Devs"], expecting: 201)
            _ = try await h.post("/api/v2/groups.json", ["name": "Testers"], expecting: 201)
            let contact = try await h.post(path, ["groups": [devs["uuid"]!, "testers"]], expecting: 201)
            #expect(contact["groups"]?.items.compactMap { $0["name"]?.string } == ["Devs", "Testers"])
            // Groups are replaced, not merged; `{"uuid", "name"}` objects are refused (ContactGroupField
            // takes strings or integers only).
            let uuid = contact["uuid"]!.string!
            let moved = try await h.post("\(path)?uuid=\(uuid)", ["groups": ["DEVS"]], expecting: 200)
            #expect(moved["groups"] == [["uuid": devs["uuid"]!, "name": "Devs"]])
            let object = try await h.call(.POST, "\(path)?uuid=\(uuid)", json: ["groups": [["name": "Devs"]]])
            #expect(object.body == ["groups": ["Must be a string or integer"]])

            let smart = try h.sandbox.seedGroup(name: "Developers", query: "isdeveloper = \"YES\"")
            let refused = try await h.call(.POST, "\(path)?uuid=\(uuid)", json: ["groups": [.string(smart.uuid)]])
            #expect(refused.status == 400)
            // The text names the value sent.
            #expect(refused.body == ["groups": [.string("Contact group must not be query based: \(smart.uuid)")]])
        }
    }

    @Test func fieldsMustExist() async throws {
        try await SandboxHarness.with { h in
            let reply = try await h.call(.POST, path, json: ["fields": ["foo": "bar"]])
            #expect(reply.status == 400)
            #expect(reply.body == ["fields": ["Invalid contact field key: foo"]])
        }
    }

    @Test func fieldValuesAreTypedAndNullOrEmptyClears() async throws {
        try await SandboxHarness.with { h in
            _ = try await h.post("/api/v2/fields.json", ["name": "Nickname", "type": "text"], expecting: 201)
            _ = try await h.post("/api/v2/fields.json", ["label": "Age", "value_type": "numeric"], expecting: 201)
            _ = try await h.post("/api/v2/fields.json", ["name": "Joined", "type": "datetime"], expecting: 201)
            let contact = try await h.post(
                path,
                [
                    "fields": [
                        "nickname": "Mack", "age": "012.50", "joined": "2020-01-31T09:27:39.071299-03:00",
                    ]
                ], expecting: 201)
            // Numbers are decimals, datetimes shown in the workspace's zone (UTC here).
            #expect(
                contact["fields"] == ["nickname": "Mack", "age": "12.5", "joined": "2020-01-31T12:27:39.071299+00:00"])
            let uuid = contact["uuid"]!.string!
            let numeric = try await h.post(
                "\(path)?uuid=\(uuid)", ["fields": ["age": 41, "joined": "2017-11-11 11:12:13Z"]], expecting: 200)
            #expect(numeric["fields"] == ["nickname": "Mack", "age": "41", "joined": "2017-11-11T11:12:13+00:00"])
            // Values that do not parse as the field's type are kept empty, as on the platform.
            let unparsable = try await h.post(
                "\(path)?uuid=\(uuid)", ["fields": ["age": "forty", "joined": "2017-11-11T11:12:13"]], expecting: 200)
            #expect(unparsable["fields"] == ["nickname": "Mack", "age": nil, "joined": nil])
            let cleared = try await h.post("\(path)?uuid=\(uuid)", ["fields": ["nickname": nil]], expecting: 200)
            #expect(cleared["fields"]?["nickname"] == .null)
            _ = try await h.post("\(path)?uuid=\(uuid)", ["fields": ["nickname": "Back"]], expecting: 200)
            let emptied = try await h.post("\(path)?uuid=\(uuid)", ["fields": ["nickname": ""]], expecting: 200)
            #expect(emptied["fields"]?["nickname"] == .null)
            #expect(h.sandbox.state().contacts.first?.fields == [:])
        }
    }

    @Test func bodyMustBeAJSONObject() async throws {
        try await SandboxHarness.with { h in
            let list = try await h.call(.POST, path, json: [])
            #expect(list.status == 400)
            #expect(list.body == ["non_field_errors": ["Request body should be a single JSON object"]])
            let garbage = try await h.call(.POST, path, rawBody: "{not json")
            #expect(garbage.status == 400)
            #expect(garbage["detail"]?.string?.hasPrefix("JSON parse error") == true)
        }
    }

    @Test func retypingAFieldRereadsTheTextAsSent() async throws {
        try await SandboxHarness.with { h in
            _ = try await h.post("/api/v2/fields.json", ["name": "Score", "type": "text"], expecting: 201)
            let contact = try await h.post(path, ["fields": ["score": "12.50"]], expecting: 201)
            #expect(contact["fields"] == ["score": "12.50"])
            _ = try await h.post("/api/v2/fields.json?key=score", ["name": "Score", "type": "number"], expecting: 200)
            #expect(h.sandbox.state().contacts.first?.fields == ["score": "12.5"])
            _ = try await h.post(
                "/api/v2/fields.json?key=score", ["name": "Score", "type": "datetime"], expecting: 200)
            #expect(h.sandbox.state().contacts.first?.fields == [:])
            _ = try await h.post("/api/v2/fields.json?key=score", ["name": "Score", "type": "text"], expecting: 200)
            #expect(h.sandbox.state().contacts.first?.fields == ["score": "12.50"])
        }
    }

    @Test func plainDatesAreMidnightInTheWorkspaceZone() async throws {
        try await SandboxHarness.with { h in
            _ = try await h.post("/api/v2/fields.json", ["name": "Birthday", "type": "datetime"], expecting: 201)
            let contact = try await h.post(path, ["fields": ["birthday": "1990-02-28"]], expecting: 201)
            #expect(contact["fields"] == ["birthday": "1990-02-28T00:00:00+00:00"])
            let impossible = try await h.post(path, ["fields": ["birthday": "1990-02-30"]], expecting: 201)
            #expect(impossible["fields"] == ["birthday": nil])
        }
    }

    @Test func namesAreTrimmedAndTimestampsSetOnCreate() async throws {
        try await SandboxHarness.with { h in
            let contact = try await h.post(path, ["name": "  Ben  "], expecting: 201)
            #expect(contact["name"] == "Ben")
            #expect(contact["created_on"] == contact["modified_on"])
            let blank = try await h.call(.POST, "\(path)?uuid=\(contact["uuid"]!.string!)", json: ["name": "   "])
            #expect(blank.body == ["name": ["This field may not be blank."]])
            let cleared = try await h.post(
                "\(path)?uuid=\(contact["uuid"]!.string!)", ["name": nil], expecting: 200)
            #expect(cleared["name"] == .null)
            #expect(cleared["modified_on"] != contact["modified_on"])
        }
    }
}
