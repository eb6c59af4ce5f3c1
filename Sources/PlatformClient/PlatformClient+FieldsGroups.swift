import NIOHTTP1

extension PlatformClient {
    /// Every contact field, following the cursor pagination.
    public func listFields(key: String? = nil) async throws -> [Field] {
        try await list("fields.json", query: key.map { [("key", $0)] } ?? [])
    }

    /// Creates a field; the platform derives its key from the label. Written in the configured
    /// spelling (`name`/`type`, or `label`/`value_type` for older servers).
    public func createField(label: String, type: FieldType, spelling: FieldSpelling? = nil) async throws -> Field {
        let body: [String: String] =
            switch spelling ?? options.fieldSpelling {
            case .nameType: ["name": label, "type": type.rawValue]
            case .labelValueType: ["label": label, "value_type": type.legacyName]
            }
        return try await send(.POST, "fields.json", body: body).decode(Field.self)
    }

    /// Groups, all or those named `name` (the platform matches names ignoring case).
    public func listGroups(name: String? = nil) async throws -> [Group] {
        try await list("groups.json", query: name.map { [("name", $0)] } ?? [])
    }

    public func createGroup(name: String) async throws -> Group {
        try await send(.POST, "groups.json", body: ["name": name]).decode(Group.self)
    }

    public func renameGroup(uuid: String, to name: String) async throws -> Group {
        try await send(.POST, "groups.json", query: [("uuid", uuid)], body: ["name": name]).decode(Group.self)
    }

    /// Deletes a group; 204 and 404 both mean it is gone.
    public func deleteGroup(uuid: String) async throws -> DeleteOutcome {
        let answer = try await send(.DELETE, "groups.json", query: [("uuid", uuid)], allowNotFound: true)
        return answer.status == 404 ? .alreadyGone : .deleted
    }

    func list<Item: Decodable>(_ endpoint: String, query: [(String, String)]) async throws -> [Item] {
        var items: [Item] = []
        var next: String? = url(endpoint, query)
        var pages = 0
        while let page = next {
            pages += 1
            // A server whose `next` never ends would otherwise keep us here forever.
            guard pages <= 10_000 else {
                throw PlatformError.unexpected(status: 200, body: "more than 10000 pages from \(endpoint)")
            }
            let answer = try await send(.GET, url: page, endpoint: endpoint)
            let decoded = try answer.decode(Page<Item>.self)
            items += decoded.results
            next = decoded.next
        }
        return items
    }
}
