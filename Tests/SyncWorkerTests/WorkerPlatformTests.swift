import ContactSyncTesting
import Foundation
import Kafka
import PlatformClient
import PlatformSandbox
import SyncCore
import Testing

@testable import SyncWorker

/// The worker against each flavour's stand-in: a workspace that already holds contacts, flows
/// that add groups, contacts that opted out, URNs held by others, field keys with `_`.
@Suite(.serialized) struct WorkerPlatformTests {
    static func flavor(_ sandbox: SandboxFlavor) -> PlatformFlavor { PlatformFlavor(rawValue: sandbox.rawValue)! }

    /// Half the entities exist already (an earlier sync or import), a third of those opted
    /// out; a flow puts every new contact into "Opted In". Each entity's event names fields by
    /// key and the group "Customers".
    @Test(arguments: SandboxFlavor.allCases)
    func aPopulatedWorkspaceEndsRightWithAtMostTwoCallsPerEntity(flavor: SandboxFlavor) async throws {
        let h = try await WorkerHarness(partitions: 2, flavor: flavor, flow: SandboxFlow(groupOnCreate: "Opted In"))
        let client = PlatformClient(
            options: .init(baseURL: h.sandbox.baseURL, token: APIToken(WorkerHarness.token)), logger: h.logger)
        var stopped: [String] = []
        for n in 0..<20 where n % 2 == 0 {
            let contact = try await client.create(
                body: ContactWrite(
                    name: .set("Old \(n)"), urns: ["ext:cus_\(n)", "tel:+55829990\(String(format: "%04d", n))"]))
            if n % 3 == 0 {
                try h.sandbox.setContactStatus(contact.uuid, to: .stopped)
                stopped.append("ext:cus_\(n)")
            }
        }
        try await client.shutdown()
        let before = h.sandbox.stats().calls(scope: .contacts)
        var events: [(key: String, json: String?)] = []
        for n in 0..<20 {
            events.append(
                event(
                    "customer.created", id: "c\(n)", entity: "cus_\(n)", version: 1,
                    data: #"""
                        "name": "Customer \#(n)", "phone": "+55829990\#(String(format: "%04d", n))", "groups": ["Customers"],
                        "fields": {"last_order": "A-\#(n)", "signup_date": "2026-01-31T09:27:39.071-03:00", "score": \#(n)}
                        """#))
        }
        try await h.produce(events)
        let snapshot = try await h.runUntilCaughtUp(group: "g-populated-\(flavor.rawValue)") {
            $0.flavor = Self.flavor(flavor)
        }
        #expect(snapshot.caughtUp)
        #expect(snapshot.deadLetteredTotal == 0)
        let contactCalls = h.sandbox.stats().calls(scope: .contacts) - before
        #expect(contactCalls <= 30, "10 new contacts at one call, 10 existing at two at most: \(contactCalls)")
        let state = h.sandbox.state()
        #expect(state.contacts.count == 20, "no duplicates")
        #expect(Set(state.fields.map(\.key)).isSuperset(of: ["last_order", "signup_date", "score"]))
        for n in 0..<20 {
            let contact = try #require(state.contact(urn: "ext:cus_\(n)"))
            #expect(contact.name == "Customer \(n)")
            #expect(contact.fields["last_order"] == "A-\(n)")
            #expect(contact.urns == ["ext:cus_\(n)", "tel:+55829990\(String(format: "%04d", n))"])
            if stopped.contains("ext:cus_\(n)") {
                #expect(contact.status == .stopped)
                #expect(!contact.groups.contains("Customers"), "the platform keeps non-active contacts out of groups")
            } else {
                #expect(contact.groups.contains("Customers"))
            }
            if n % 2 == 1 { #expect(contact.groups.contains("Opted In"), "the flow's group stays") }
        }
        #expect(snapshot.groupChangesSkipped == stopped.count, "one skipped add per stopped contact")
        await h.shutdown()
    }

    /// Managed groups follow the events; a flow's group stays; a contact deleted behind the
    /// worker's back is written again; a key no name derives is refused before any call.
    @Test(arguments: SandboxFlavor.allCases)
    func membershipsDeletesAndKeysFollowTheRules(flavor: SandboxFlavor) async throws {
        let h = try await WorkerHarness(partitions: 1, flavor: flavor, flow: SandboxFlow(groupOnCreate: "Opted In"))
        try await h.produce([
            event(
                "customer.created", id: "a1", entity: "cus_a", version: 1,
                data: #""name": "A", "groups": ["VIP", "Customers"]"#),
            event("customer.created", id: "b1", entity: "cus_b", version: 1, data: #""name": "B""#),
        ])
        let group = "g-rules-\(flavor.rawValue)"
        func run() async throws -> WorkerSnapshot {
            try await h.runUntilCaughtUp(group: group) {
                $0.flavor = Self.flavor(flavor)
                $0.managedGroups = ["VIP", "Customers"]
            }
        }
        _ = try await run()
        #expect(
            Set(try #require(h.sandbox.state().contact(urn: "ext:cus_a")).groups) == ["VIP", "Customers", "Opted In"])

        let client = PlatformClient(
            options: .init(baseURL: h.sandbox.baseURL, token: APIToken(WorkerHarness.token)), logger: h.logger)
        #expect(try await client.delete(urn: URN(parsing: "ext:cus_b")) == .deleted)  // an agent deleted it
        try await client.shutdown()
        try await h.produce([
            event("customer.updated", id: "a2", entity: "cus_a", version: 2, data: #""groups": ["Customers"]"#),
            event("customer.updated", id: "b2", entity: "cus_b", version: 2, data: #""name": "B again""#),
            event("customer.updated", id: "c1", entity: "cus_c", version: 1, data: #""fields": {"has": "x"}"#),
            event("customer.updated", id: "d1", entity: "cus_d", version: 1, data: #""fields": {"a__b": "x"}"#),
        ])
        let snapshot = try await run()
        let state = h.sandbox.state()
        #expect(
            Set(try #require(state.contact(urn: "ext:cus_a")).groups) == ["Customers", "Opted In"],
            "VIP removed, the flow's group kept")
        #expect(state.contact(urn: "ext:cus_b")?.name == "B again", "written again by its ext: URN")
        #expect(snapshot.deadLetteredTotal == 2)
        let reasons = try await h.deadLetters().compactMap { $0.header("contactsync.reason") }
        #expect(reasons.sorted() == ["invalid_field_key", "invalid_field_key"])
        #expect(!state.fields.contains { $0.key == "a_b" || $0.key == "has" }, "no field was created for them")
        await h.shutdown()
    }

    /// A create naming a URN another contact holds is refused by every flavour: the contact is
    /// created without it and the conflict dead-lettered. On update, TextIt silently leaves the
    /// URN out (the worker notices by comparing the answer); older flavours move it.
    @Test(arguments: SandboxFlavor.allCases)
    func aURNHeldByAnotherContactIsAConflictNotALoss(flavor: SandboxFlavor) async throws {
        let h = try await WorkerHarness(partitions: 1, flavor: flavor)
        let client = PlatformClient(
            options: .init(baseURL: h.sandbox.baseURL, token: APIToken(WorkerHarness.token)), logger: h.logger)
        _ = try await client.create(body: ContactWrite(name: .set("Someone"), urns: ["tel:+5582999110000"]))
        _ = try await client.create(body: ContactWrite(name: .set("Someone else"), urns: ["tel:+5582999110001"]))
        try await client.shutdown()
        let group = "g-urn-\(flavor.rawValue)"
        try await h.produce([
            event(
                "customer.created", id: "y1", entity: "cus_y", version: 1,
                data: #""name": "Y", "phone": "+5582999110000""#),
            event("customer.created", id: "x1", entity: "cus_x", version: 1, data: #""name": "X""#),
        ])
        let first = try await h.runUntilCaughtUp(group: group) { $0.flavor = Self.flavor(flavor) }
        let y = try #require(h.sandbox.state().contact(urn: "ext:cus_y"))
        #expect(y.name == "Y" && y.urns == ["ext:cus_y"], "created without the taken URN")
        #expect(first.urnConflicts == 1 && first.deadLetteredTotal == 1)

        try await h.produce([
            event(
                "customer.updated", id: "x2", entity: "cus_x", version: 2,
                data: #""name": "X two", "phone": "+5582999110001""#)
        ])
        let second = try await h.runUntilCaughtUp(group: group) { $0.flavor = Self.flavor(flavor) }
        let x = try #require(h.sandbox.state().contact(urn: "ext:cus_x"))
        #expect(x.name == "X two", "the rest of the change is applied")
        if flavor == .textit {
            #expect(x.urns == ["ext:cus_x"])
            #expect(second.urnConflicts == 1 && second.deadLetteredTotal == 1)
        } else {
            #expect(x.urns == ["ext:cus_x", "tel:+5582999110001"], "the older platform moved it")
            #expect(second.deadLetteredTotal == 0)
        }
        let reasons = try await h.deadLetters().compactMap { $0.header("contactsync.reason") }
        #expect(reasons == Array(repeating: "urn_conflict", count: flavor == .textit ? 2 : 1))
        await h.shutdown()
    }

    /// Deletes go through contact_actions.json, 100 a call, on the v2 scope.
    @Test func deletesAreBatchedOffTheContactsScope() async throws {
        let h = try await WorkerHarness(partitions: 2)
        var events: [(key: String, json: String?)] = []
        for n in 0..<150 {
            events.append(
                event("customer.created", id: "c\(n)", entity: "cus_\(n)", version: 1, data: #""name": "N\#(n)""#))
        }
        try await h.produce(events)
        _ = try await h.runUntilCaughtUp(group: "g-deletes")
        #expect(h.sandbox.state().contacts.count == 150)
        let before = h.sandbox.stats()
        events = (0..<150).map { event("customer.deleted", id: "d\($0)", entity: "cus_\($0)", version: 2) }
        events.append(event("customer.deleted", id: "dx", entity: "never_synced", version: 1))
        try await h.produce(events)
        let snapshot = try await h.runUntilCaughtUp(group: "g-deletes")
        let after = h.sandbox.stats()
        #expect(h.sandbox.state().contacts.isEmpty)
        #expect(snapshot.deleted == 151 && snapshot.deadLetteredTotal == 0)
        #expect(after.calls(scope: .contacts) == before.calls(scope: .contacts), "no contacts.json call for a delete")
        let actionCalls = after.count(endpoint: "contact_actions.json") - before.count(endpoint: "contact_actions.json")
        #expect(actionCalls >= 2 && actionCalls <= 8, "151 deletes in a few calls of up to 100: \(actionCalls)")
        await h.shutdown()
    }
}
