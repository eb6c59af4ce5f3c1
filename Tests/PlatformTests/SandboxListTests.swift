import JSON
import Testing

@testable import PlatformSandbox

/// Lists: cursor pagination through absolute `next` links, and the contacts.json filters.
@Suite struct SandboxListTests {
    let path = "/api/v2/contacts.json"

    @Test func contactsPageThroughAbsoluteNextLinks() async throws {
        try await SandboxHarness.with(pageSize: 2) { h in
            for index in 0..<5 {
                _ = try await h.post(path, ["urns": [.string("ext:\(index)")]], expecting: 201)
            }
            let first = try await h.call(.GET, path)
            #expect(first["previous"] == .null)
            #expect(first["results"]?.items.count == 2)
            let next = try #require(first["next"]?.string)
            #expect(next.hasPrefix("\(h.sandbox.baseURL)\(path)?cursor="))
            let all = try await h.listAll(path)
            #expect(all.pages == 3)
            // Most recently modified first, each contact once.
            #expect(
                all.results.compactMap { $0["urns"]?.items.first?.string } == [
                    "ext:4", "ext:3", "ext:2", "ext:1", "ext:0",
                ])
        }
    }

    @Test func nextLinksKeepTheFilters() async throws {
        try await SandboxHarness.with(pageSize: 1) { h in
            let devs = try await h.post("/api/v2/groups.json", ["name": "Devs"], expecting: 201)
            for index in 0..<3 {
                _ = try await h.post(path, ["urns": [.string("ext:d\(index)")], "groups": ["Devs"]], expecting: 201)
            }
            _ = try await h.post(path, ["urns": ["ext:outsider"]], expecting: 201)
            let first = try await h.call(.GET, "\(path)?group=Devs")
            #expect(first["next"]?.string?.contains("group=Devs&cursor=") == true)
            // `Q(name=group_ref)`: an exact name; `devs` names no group.
            #expect(try await h.listAll("\(path)?group=devs").results.isEmpty)
            let byName = try await h.listAll("\(path)?group=Devs")
            #expect(byName.pages == 3)
            #expect(byName.results.count == 3)
            let byUUID = try await h.listAll("\(path)?group=\(devs["uuid"]!.string!)")
            #expect(byUUID.results.count == 3)
            #expect(try await h.listAll("\(path)?group=nosuch").results.isEmpty)
        }
    }

    @Test func filterByUUIDAndNormalisedURN() async throws {
        try await SandboxHarness.with { h in
            let ben = try await h.post(path, ["urns": ["tel:+250788000004"]], expecting: 201)
            _ = try await h.post(path, ["urns": ["ext:other"]], expecting: 201)
            let byURN = try await h.listAll("\(path)?urn=tel%3A%2B250-788-000004").results
            #expect(byURN.compactMap { $0["uuid"] } == [ben["uuid"]!])
            let byUUID = try await h.listAll("\(path)?uuid=\(ben["uuid"]!.string!)").results
            #expect(byUUID.compactMap { $0["uuid"] } == [ben["uuid"]!])
            let invalid = try await h.call(.GET, "\(path)?urn=12345")
            #expect(invalid.status == 400)
            #expect(invalid.body == ["detail": "Invalid URN: 12345"])
        }
    }

    @Test func beforeAndAfterFilterOnModifiedOnInclusively() async throws {
        try await SandboxHarness.with { h in
            let first = try await h.post(path, ["urns": ["ext:a"]], expecting: 201)
            let second = try await h.post(path, ["urns": ["ext:b"]], expecting: 201)
            let third = try await h.post(path, ["urns": ["ext:c"]], expecting: 201)
            let middle = second["modified_on"]!.string!
            let escaped = Pagination.escape(middle)
            let before = try await h.listAll("\(path)?before=\(escaped)").results.compactMap { $0["uuid"] }
            #expect(before == [second["uuid"]!, first["uuid"]!])
            let after = try await h.listAll("\(path)?after=\(escaped)").results.compactMap { $0["uuid"] }
            #expect(after == [third["uuid"]!, second["uuid"]!])
        }
    }

    @Test func aBadCursorIs404() async throws {
        try await SandboxHarness.with { h in
            let reply = try await h.call(.GET, "/api/v2/groups.json?cursor=bm9wZQ")
            #expect(reply.status == 404)
            #expect(reply.body == ["detail": "Invalid cursor"])
        }
    }

    @Test func fieldsAndGroupsPageToo() async throws {
        try await SandboxHarness.with(pageSize: 2) { h in
            for index in 0..<5 {
                _ = try await h.post(
                    "/api/v2/fields.json", ["name": .string("Field \(index)"), "type": "text"], expecting: 201)
                _ = try await h.post("/api/v2/groups.json", ["name": .string("Group \(index)")], expecting: 201)
            }
            let fields = try await h.listAll("/api/v2/fields.json")
            #expect(fields.pages == 3)
            #expect(
                fields.results.compactMap { $0["key"]?.string } == [
                    "field_4", "field_3", "field_2", "field_1", "field_0",
                ])
            let groups = try await h.listAll("/api/v2/groups.json")
            // Five groups and TextIt's "Open Tickets".
            #expect(groups.pages == 3)
            #expect(groups.results.count == 6)
        }
    }
}
