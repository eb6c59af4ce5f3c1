import JSON
import Testing

@testable import PlatformSandbox

/// contacts.json as each flavour answers it: taken URNs, soft deletes, names.
@Suite struct SandboxFlavorContactTests {
    @Test(arguments: SandboxFlavor.allCases)
    func aTakenURNOnCreate(flavor: SandboxFlavor) async throws {
        try await SandboxHarness.with(flavor: flavor) { h in
            _ = try await h.createContact(["tel:+250788123123"])
            let reply = try await h.call(
                .POST, "/api/v2/contacts.json", json: ["urns": ["ext:1", "tel:+250788123123"]])
            #expect(reply.status == 400)
            switch flavor {
            case .textit: #expect(reply.body == ["urns": ["1": ["URN is in use by another contact."]]])
            case .rapidpro9, .weni:
                #expect(reply.body == ["urns": ["URN belongs to another contact: tel:+250788123123"]])
            }
            #expect(h.sandbox.state().contacts.count == 1)
        }
    }

    @Test(arguments: SandboxFlavor.allCases)
    func aTakenURNOnUpdateByUUID(flavor: SandboxFlavor) async throws {
        try await SandboxHarness.with(flavor: flavor) { h in
            let holder = try await h.createContact(["ext:holder", "tel:+250788123123"])
            let other = try await h.createContact(["ext:other"])
            let reply = try await h.call(
                .POST, "/api/v2/contacts.json?uuid=\(other)", json: ["urns": ["ext:other", "tel:+250788123123"]])
            #expect(reply.status == 200)
            let state = h.sandbox.state()
            let holderURNs = state.contacts.first { $0.uuid == holder }?.urns
            switch flavor {
            case .textit:
                // Current mailroom leaves the taken URN out, silently.
                #expect(reply["urns"] == ["ext:other"])
                #expect(holderURNs == ["ext:holder", "tel:+250788123123"])
            case .rapidpro9, .weni:
                #expect(reply["urns"] == ["ext:other", "tel:+250788123123"])
                #expect(holderURNs == ["ext:holder"])
            }
        }
    }

    @Test(arguments: SandboxFlavor.allCases)
    func deletionIsSoft(flavor: SandboxFlavor) async throws {
        try await SandboxHarness.with(flavor: flavor) { h in
            let uuid = try await h.createContact(["ext:42"])
            #expect(try await h.call(.DELETE, "/api/v2/contacts.json?urn=ext:42").status == 204)
            let write = try await h.call(.POST, "/api/v2/contacts.json?uuid=\(uuid)", json: ["name": "Back"])
            #expect(write.status == 400)
            let text = flavor == .weni ? "Inactive contacts can't be modified." : "Deleted contacts can't be modified."
            #expect(write.body == ["non_field_errors": [.string(text)]])
            // Gone from lists, its URN free: the same URN makes a new contact.
            #expect(try await h.call(.GET, "/api/v2/contacts.json?uuid=\(uuid)")["results"] == [])
            let again = try await h.call(.POST, "/api/v2/contacts.json?urn=ext:42", json: ["name": "New"])
            #expect(again.status == 201)
            #expect(again["uuid"]?.string != uuid)
            #expect(try await h.call(.DELETE, "/api/v2/contacts.json?uuid=\(uuid)").status == 404)
        }
    }

    @Test(arguments: SandboxFlavor.allCases)
    func nameRules(flavor: SandboxFlavor) async throws {
        try await SandboxHarness.with(flavor: flavor) { h in
            let blank = try await h.call(.POST, "/api/v2/contacts.json", json: ["name": "   "])
            #expect(blank.status == 400)
            #expect(
                blank.body == [
                    "name": [flavor == .weni ? "Contact name cannot be empty." : "This field may not be blank."]
                ])
            // Lengths are Python's: code points. 64 "é" written as e + combining accent are 128.
            let combining = String(repeating: "e\u{301}", count: 40)
            let long = try await h.call(.POST, "/api/v2/contacts.json", json: ["name": .string(combining)])
            #expect(long.status == (flavor == .weni ? 201 : 400))
            if flavor != .weni { #expect(long.body == ["name": ["Ensure this field has no more than 64 characters."]]) }
            let over = try await h.call(
                .POST, "/api/v2/contacts.json", json: ["name": .string(String(repeating: "a", count: 101))])
            #expect(
                over.body == [
                    "name": [
                        flavor == .weni
                            ? "Contact name cannot exceed 100 characters."
                            : "Ensure this field has no more than 64 characters."
                    ]
                ])
            let trimmed = try await h.call(.POST, "/api/v2/contacts.json", json: ["name": "  Ana  "])
            #expect(trimmed["name"] == "Ana")
        }
    }

    @Test(arguments: SandboxFlavor.allCases)
    func urnAndLanguageTexts(flavor: SandboxFlavor) async throws {
        try await SandboxHarness.with(flavor: flavor) { h in
            let reply = try await h.call(
                .POST, "/api/v2/contacts.json",
                json: ["urns": ["tel:0788123123", "mailto:Ana@Example.com"], "language": "xx1"])
            #expect(reply.status == 400)
            #expect(
                reply.body == [
                    "language": ["Not a valid ISO639-3 language code."],
                    "urns": ["0": ["Invalid URN: tel:0788123123. Ensure phone numbers contain country codes."]],
                ])
            let short = try await h.call(.POST, "/api/v2/contacts.json", json: ["language": "en"])
            #expect(short.body == ["language": ["Ensure this field has at least 3 characters."]])
            let ok = try await h.call(
                .POST, "/api/v2/contacts.json",
                json: ["urns": ["mailto:Ana@Example.com", "tel:+250 788-123-123"], "language": "kin"])
            #expect(ok.status == 201)
            #expect(ok["urns"] == ["mailto:ana@example.com", "tel:+250788123123"])
            let many = try await h.call(
                .POST, "/api/v2/contacts.json", json: ["urns": .array((0...100).map { .string("ext:\($0)") })])
            #expect(many.body == ["urns": [.string(flavor.tooManyItems(100))]])
        }
    }

    @Test(arguments: SandboxFlavor.allCases)
    func invalidUUIDInTheURL(flavor: SandboxFlavor) async throws {
        try await SandboxHarness.with(flavor: flavor) { h in
            let reply = try await h.call(.POST, "/api/v2/contacts.json?uuid=nope", json: ["name": "x"])
            if flavor == .textit {
                #expect(reply.status == 400)
                #expect(reply.body == ["detail": "Param 'uuid': nope is not a valid UUID."])
            } else {
                #expect(reply.status == 404)
                #expect(reply.body == ["detail": "Not found."])
            }
        }
    }
}
