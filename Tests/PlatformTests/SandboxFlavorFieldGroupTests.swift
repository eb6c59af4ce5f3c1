import JSON
import Testing

@testable import PlatformSandbox

/// fields.json and groups.json as each flavour answers them: name rules, reserved keys, limits,
/// system groups.
@Suite struct SandboxFlavorFieldGroupTests {
    /// A field body in the spelling the flavour takes (Weni only has `label`/`value_type`).
    static func field(_ name: String, _ flavor: SandboxFlavor) -> JSON {
        flavor == .weni ? ["label": .string(name), "value_type": "text"] : ["name": .string(name), "type": "text"]
    }

    static func nameMember(_ flavor: SandboxFlavor) -> String { flavor == .weni ? "label" : "name" }

    /// `{member: [message]}`.
    static func refusal(_ member: String, _ message: String) -> JSON {
        .object([(member, .array([.string(message)]))])
    }

    @Test(arguments: SandboxFlavor.allCases)
    func fieldNamesAndKeys(flavor: SandboxFlavor) async throws {
        try await SandboxHarness.with(flavor: flavor) { h in
            let member = Self.nameMember(flavor)
            let created = try await h.post("/api/v2/fields.json", Self.field("Signup Date", flavor), expecting: 201)
            #expect(created["key"] == "signup_date")
            let underscore = try await h.call(.POST, "/api/v2/fields.json", json: Self.field("lead_status", flavor))
            if flavor == .weni {
                #expect(underscore.status == 201)
                #expect(underscore["key"] == "lead_status")
            } else {
                #expect(underscore.body == Self.refusal(member, "Can only contain letters, numbers and hypens."))
            }
            let bad = try await h.call(.POST, "/api/v2/fields.json", json: Self.field("Plan!", flavor))
            #expect(bad.body == Self.refusal(member, flavor.fieldNameText))
            let same = try await h.call(.POST, "/api/v2/fields.json", json: Self.field("signup date", flavor))
            #expect(same.body == Self.refusal(member, "This field must be unique."))
            let digit = try await h.call(.POST, "/api/v2/fields.json", json: Self.field("2nd Phone", flavor))
            #expect(digit.body == Self.refusal(member, "Generated key \"2nd_phone\" is invalid or a reserved name."))
        }
    }

    /// Reserved keys differ: `name` is free on TextIt, reserved on RapidPro 9 and Weni; `urns`
    /// is reserved on TextIt and RapidPro 9, free on Weni; URN schemes are reserved but on TextIt.
    @Test(arguments: SandboxFlavor.allCases)
    func reservedKeys(flavor: SandboxFlavor) async throws {
        try await SandboxHarness.with(flavor: flavor) { h in
            let expectations: [(String, Bool)] = [
                ("Name", flavor == .textit), ("URNs", flavor == .weni), ("Is", false), ("Tel", flavor == .textit),
                ("Timezone", flavor != .rapidpro9), ("Created By", flavor != .weni),
            ]
            for (name, allowed) in expectations {
                let reply = try await h.call(.POST, "/api/v2/fields.json", json: Self.field(name, flavor))
                let key = FieldNameRules.key(forName: name)
                if allowed {
                    #expect(reply.status == 201, "\(name) on \(flavor)")
                } else {
                    #expect(
                        reply.body
                            == Self.refusal(
                                Self.nameMember(flavor), "Generated key \"\(key)\" is invalid or a reserved name."),
                        "\(name) on \(flavor)")
                }
            }
        }
    }

    @Test func weniRequiresTheOlderSpelling() async throws {
        try await SandboxHarness.with(flavor: .weni) { h in
            let reply = try await h.call(.POST, "/api/v2/fields.json", json: ["name": "Plan", "type": "text"])
            #expect(reply.status == 400)
            #expect(reply.body == ["label": ["This field is required."], "value_type": ["This field is required."]])
            let created = try await h.post(
                "/api/v2/fields.json", ["label": "Plan", "value_type": "numeric"], expecting: 201)
            #expect(created == ["key": "plan", "label": "Plan", "value_type": "numeric", "pinned": false])
        }
    }

    @Test(arguments: SandboxFlavor.allCases)
    func fieldLimit(flavor: SandboxFlavor) async throws {
        try await SandboxHarness.with(flavor: flavor) { h in
            h.sandbox.seedFields(count: 250)
            let reply = try await h.call(.POST, "/api/v2/fields.json", json: Self.field("One More", flavor))
            switch flavor {
            case .textit:
                #expect(reply.status == 409)
                #expect(reply.body == ["detail": "Cannot create object because workspace has reached limit."])
            case .rapidpro9:
                #expect(reply.status == 409)
                #expect(reply.body == ["detail": "Cannot create object because workspace has reached limit of 250."])
            case .weni:
                #expect(reply.status == 400)
                #expect(
                    reply.body == [
                        "non_field_errors": [
                            "This org has 250 contact fields and the limit is 250. You must delete existing ones before you can create new ones."
                        ]
                    ])
            }
        }
    }

    @Test(arguments: SandboxFlavor.allCases)
    func systemAndStatusGroups(flavor: SandboxFlavor) async throws {
        try await SandboxHarness.with(flavor: flavor) { h in
            let list = try await h.call(.GET, "/api/v2/groups.json")["results"]?.items ?? []
            if flavor == .weni {
                #expect(list.isEmpty)
            } else {
                #expect(list.count == 1)
                #expect(list.first?["name"] == "Open Tickets")
                #expect(list.first?["system"] == true)
                #expect(list.first?["query"] == "tickets > 0")
                let uuid = list.first?["uuid"]?.string ?? ""
                let rename = try await h.call(.POST, "/api/v2/groups.json?uuid=\(uuid)", json: ["name": "Tickets"])
                #expect(rename.status == 403)
                #expect(rename.body == ["detail": "Cannot modify system object."])
                let delete = try await h.call(.DELETE, "/api/v2/groups.json?uuid=\(uuid)")
                #expect(delete.status == 403)
                #expect(delete.body == ["detail": "Cannot delete system object."])
            }
            // RapidPro 9's status groups are named "Blocked" etc. and count for uniqueness.
            let blocked = try await h.call(.POST, "/api/v2/groups.json", json: ["name": "blocked"])
            #expect(blocked.status == (flavor == .rapidpro9 ? 400 : 201))
            if flavor == .rapidpro9 { #expect(blocked.body == ["name": ["This field must be unique."]]) }
        }
    }

    @Test(arguments: SandboxFlavor.allCases)
    func groupNameRules(flavor: SandboxFlavor) async throws {
        try await SandboxHarness.with(flavor: flavor) { h in
            let quote = try await h.call(.POST, "/api/v2/groups.json", json: ["name": "Say \"hi\""])
            #expect(quote.status == (flavor == .weni ? 201 : 400))
            if flavor != .weni { #expect(quote.body == ["name": ["Cannot contain the character: \""]]) }
            let symbol = try await h.call(.POST, "/api/v2/groups.json", json: ["name": "#tag"])
            #expect(symbol.status == (flavor == .weni ? 400 : 201))
            if flavor == .weni { #expect(symbol.body == ["name": ["Name contains illegal characters."]]) }
            let trimmed = try await h.post("/api/v2/groups.json", ["name": "  Reporters "], expecting: 201)
            #expect(trimmed["name"] == "Reporters")
        }
    }
}
