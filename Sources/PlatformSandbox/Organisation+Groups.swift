extension Organisation {
    /// Groups, newest first (the platform's order), optionally only one by UUID or by name.
    func groups(uuid: String?, name: String?) -> [GroupRecord] {
        groups.values.filter { group in
            (uuid == nil || group.uuid == uuid?.lowercased())
                && (name == nil || group.name.lowercased() == name?.lowercased())
        }.sorted { $0.id > $1.id }
    }

    /// Creates a group from `{"name": …}`.
    mutating func createGroup(_ body: JSONValue) throws(APIError) -> GroupRecord {
        let name = try validateGroupName(body, renaming: nil)
        return try addGroup(name: name, query: nil, usedBy: nil)
    }

    /// Adds a group once its name has been checked; also how tests seed smart or in-use groups.
    mutating func addGroup(name: String, query: String?, usedBy: String?) throws(APIError) -> GroupRecord {
        if groups.count >= Self.maxGroups {
            throw APIError.detail(.conflict, "Cannot create object because workspace has reached limit of \(Self.maxGroups).")
        }
        let group = GroupRecord(id: nextID(), uuid: Self.newUUID(), name: name, query: query, usedBy: usedBy)
        groups[group.id] = group
        return group
    }

    mutating func renameGroup(uuid: String, _ body: JSONValue) throws(APIError) -> GroupRecord {
        guard var group = group(uuid: uuid) else { throw APIError.notFound }
        group.name = try validateGroupName(body, renaming: group)
        groups[group.id] = group
        return group
    }

    mutating func deleteGroup(uuid: String) throws(APIError) {
        guard let group = group(uuid: uuid) else { throw APIError.notFound }
        if let usedBy = group.usedBy {
            throw APIError.detail(.badRequest, "Group is being used by \(usedBy) which must be archived first.")
        }
        groups[group.id] = nil
        memberCounts[group.id] = nil
        for (id, contact) in contacts where contact.groupIDs.contains(group.id) {
            contacts[id]?.groupIDs.removeAll { $0 == group.id }
        }
    }

    /// A group name: at most 64 characters, no surrounding spaces, unique ignoring case.
    private func validateGroupName(_ body: JSONValue, renaming existing: GroupRecord?) throws(APIError) -> String {
        guard case .object = body else {
            throw APIError.invalid("non_field_errors", "Request body should be a single JSON object")
        }
        guard let value = body["name"], !value.isNull else { throw APIError.invalid("name", "This field is required.") }
        guard case let .string(name) = value else { throw APIError.invalid("name", "Not a valid string.") }
        if name.isEmpty { throw APIError.invalid("name", "This field may not be blank.") }
        if name.count > Self.maxNameLength {
            throw APIError.invalid("name", "Ensure this field has no more than \(Self.maxNameLength) characters.")
        }
        if name.first!.isWhitespace || name.last!.isWhitespace {
            throw APIError.invalid("name", "Name contains illegal characters.")
        }
        if name.contains("\"") || name.contains("\\") {
            throw APIError.invalid("name", "Cannot contain the character: \(name.contains("\"") ? "\"" : "\\")")
        }
        if let clash = group(name: name), clash.id != existing?.id {
            throw APIError.invalid("name", "Must be unique.")
        }
        return name
    }
}
