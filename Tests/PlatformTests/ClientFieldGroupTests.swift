import PlatformClient
import PlatformSandbox
import Testing

@Suite struct ClientFieldGroupTests {
    @Test func listingFollowsEveryPage() async throws {
        try await ClientHarness.with(pageSize: 2) { h in
            for label in ["Alpha", "Beta", "Gamma", "Delta", "Epsilon"] {
                _ = try await h.client.createField(label: label, type: .text)
            }
            let fields = try await h.client.listFields()
            #expect(Set(fields.map(\.key)) == ["alpha", "beta", "gamma", "delta", "epsilon"])
            #expect(h.sandbox.stats().count(endpoint: "fields.json", method: "GET") == 3)
            #expect(try await h.client.listFields(key: "gamma").map(\.label) == ["Gamma"])
        }
    }

    @Test(arguments: [FieldSpelling.nameType, .labelValueType])
    func bothSpellingsCreateTypedFields(spelling: FieldSpelling) async throws {
        try await ClientHarness.with(spelling: spelling) { h in
            let field = try await h.client.createField(label: "Signup date", type: .datetime)
            #expect(field.key == "signup_date")
            #expect(field.label == "Signup date")
            #expect(field.type == "datetime")
            let number = try await h.client.createField(label: "Score", type: .number)
            #expect(h.sandbox.state().fields.first { $0.key == number.key }?.type == "number")
        }
    }

    @Test func groupsAreCreatedListedRenamedAndDeleted() async throws {
        try await ClientHarness.with { h in
            let group = try await h.client.createGroup(name: "Customers")
            #expect(try await h.client.listGroups(name: "customers").map(\.uuid) == [group.uuid])
            let renamed = try await h.client.renameGroup(uuid: group.uuid, to: "Clients")
            #expect(renamed.name == "Clients")
            // TextIt lists its system group "Open Tickets" too.
            #expect(Set(try await h.client.listGroups().map(\.name)) == ["Open Tickets", "Clients"])
            #expect(try await h.client.deleteGroup(uuid: group.uuid) == .deleted)
            #expect(try await h.client.deleteGroup(uuid: group.uuid) == .alreadyGone)
            let duplicate = await #expect(throws: PlatformError.self) {
                _ = try await h.client.createGroup(name: "dup")
                _ = try await h.client.createGroup(name: "DUP")
            }
            #expect(duplicate?.isNotUnique == true)
        }
    }
}
