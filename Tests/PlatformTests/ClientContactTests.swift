import Foundation
import PlatformClient
import PlatformSandbox
import SyncCore
import Testing

@Suite struct ClientContactTests {
    @Test func upsertByURNCreatesThenUpdates() async throws {
        try await ClientHarness.with { h in
            let urn = try URN(parsing: "ext:cus-1")
            let first = try await h.client.upsert(
                byURN: urn, body: ContactWrite(name: .set("Ana"), language: .set("por")))
            #expect(first.created)
            #expect(first.contact.urns == ["ext:cus-1"])
            #expect(first.contact.language == "por")
            let second = try await h.client.upsert(byURN: urn, body: ContactWrite(name: .set("Ana Lima")))
            #expect(!second.created)
            #expect(second.contact.uuid == first.contact.uuid)
            #expect(second.contact.name == "Ana Lima")
            #expect(second.contact.language == "por", "members not sent stay as they were")
            #expect(h.sandbox.state().contacts.count == 1)
        }
    }

    @Test func updateByUUIDSetsTheURNListAndGetFindsItByEach() async throws {
        try await ClientHarness.with { h in
            let ext = try URN(parsing: "ext:cus-2")
            let created = try await h.client.upsert(byURN: ext, body: ContactWrite(name: .set("Bo"))).contact
            let urns = ["ext:cus-2", "tel:+558299331122", "whatsapp:558299331122", "mailto:bo@example.com"]
            let updated = try await h.client.update(uuid: created.uuid, body: ContactWrite(urns: urns))
            #expect(updated.urns == urns)
            let byPhone = try await h.client.contact(urn: URN(parsing: "tel:+558299331122"))
            #expect(byPhone?.uuid == created.uuid)
            let byUUID = try await h.client.contact(uuid: created.uuid)
            #expect(byUUID?.name == "Bo")
            #expect(try await h.client.contact(urn: URN(parsing: "ext:nobody")) == nil)
        }
    }

    @Test func aSecondCreateWithTheSameURNIsADataConflict() async throws {
        try await ClientHarness.with { h in
            _ = try await h.client.create(
                body: ContactWrite(name: .set("Cy"), urns: ["ext:cus-3", "tel:+250788123123"]))
            let error = await #expect(throws: PlatformError.self) {
                _ = try await h.client.create(body: ContactWrite(urns: ["ext:cus-3b", "tel:+250788123123"]))
            }
            #expect(error?.isURNTakenByAnotherContact == true)
            #expect(error?.isTransient == false)
            #expect(error?.status == 400)
            #expect(h.sandbox.state().contacts.count == 1)
        }
    }

    @Test func deleteByURNAndUUIDAndAgainIsAlreadyGone() async throws {
        try await ClientHarness.with { h in
            let a = try URN(parsing: "ext:del-a")
            _ = try await h.client.upsert(byURN: a, body: ContactWrite(name: .set("A")))
            let b = try await h.client.upsert(byURN: URN(parsing: "ext:del-b"), body: ContactWrite(name: .set("B")))
                .contact
            #expect(try await h.client.delete(urn: a) == .deleted)
            #expect(try await h.client.delete(urn: a) == .alreadyGone)
            #expect(try await h.client.delete(uuid: b.uuid) == .deleted)
            #expect(try await h.client.delete(uuid: b.uuid) == .alreadyGone)
            #expect(h.sandbox.state().contacts.isEmpty)
        }
    }

    @Test func fieldValuesAreSetAndNullClearsThem() async throws {
        try await ClientHarness.with { h in
            let plan = try await h.client.createField(label: "Plan", type: .text)
            let score = try await h.client.createField(label: "Score", type: .number)
            let urn = try URN(parsing: "ext:f-1")
            let set = try await h.client.upsert(
                byURN: urn, body: ContactWrite(fields: [plan.key: .text("gold"), score.key: .number(12.5)])
            ).contact
            #expect(set.fields[plan.key] == .some("gold"))
            #expect(set.fields[score.key] == .some("12.5"))
            let cleared = try await h.client.upsert(
                byURN: urn, body: ContactWrite(name: .clear, fields: [plan.key: ContactWrite.FieldValue?.none])
            ).contact
            #expect(cleared.fields[plan.key] == .some(nil))
            #expect(cleared.fields[score.key] == .some("12.5"))
        }
    }

    @Test func groupsAreSetByUUID() async throws {
        try await ClientHarness.with { h in
            let vip = try await h.client.createGroup(name: "VIP")
            let contact = try await h.client.upsert(
                byURN: URN(parsing: "ext:g-1"), body: ContactWrite(groups: [vip.uuid])
            ).contact
            #expect(contact.groups.map(\.name) == ["VIP"])
        }
    }
}
