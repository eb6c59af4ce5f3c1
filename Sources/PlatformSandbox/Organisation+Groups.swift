import HTTPTypes
import JSON

extension Organisation {
    /// Groups, newest first (the platform's order), optionally only one by UUID or by name.
    func groups(uuid: String?, name: String?) -> [GroupRecord] {
        groups.values.filter { group in
            (uuid == nil || group.uuid == uuid?.lowercased())
                && (name == nil || group.name.lowercased() == name?.lowercased())
        }.sorted { $0.id > $1.id }
    }

    /// User groups, which the workspace's limit counts (system groups are not).
    var userGroupCount: Int { groups.values.count { !$0.system } }

    /// Creates a group from `{"name": …}`: the limit first (`409`) on TextIt and RapidPro 9,
    /// after the name (`400`) on Weni.
    mutating func createGroup(_ body: JSON) throws(APIError) -> GroupRecord {
        if flavor.answersLimitsWithConflict && userGroupCount >= Self.maxGroups {
            throw APIError.detail(.conflict, flavor.limitReachedText(limit: Self.maxGroups))
        }
        let name = try validateGroupName(body, renaming: nil)
        return try addGroup(name: name, query: nil, usedBy: nil)
    }

    /// Adds a group once its name has been checked; also how tests seed smart or in-use groups.
    mutating func addGroup(name: String, query: String?, usedBy: String?) throws(APIError) -> GroupRecord {
        if userGroupCount >= Self.maxGroups {
            if flavor.answersLimitsWithConflict {
                throw APIError.detail(.conflict, flavor.limitReachedText(limit: Self.maxGroups))
            }
            throw APIError.invalid(
                "non_field_errors",
                SandboxFlavor.weniLimitText(noun: "groups", count: userGroupCount, limit: Self.maxGroups))
        }
        let group = GroupRecord(id: nextID(), uuid: Self.newUUID(), name: name, query: query, usedBy: usedBy)
        groups[group.id] = group
        return group
    }

    mutating func renameGroup(uuid: String, _ body: JSON) throws(APIError) -> GroupRecord {
        guard var group = group(uuid: uuid) else { throw APIError.notFound }
        if group.system { throw APIError.detail(.forbidden, "Cannot modify system object.") }
        group.name = try validateGroupName(body, renaming: group)
        groups[group.id] = group
        return group
    }

    mutating func deleteGroup(uuid: String) throws(APIError) {
        guard let group = group(uuid: uuid) else { throw APIError.notFound }
        if group.system { throw APIError.detail(.forbidden, "Cannot delete system object.") }
        if let usedBy = group.usedBy {
            throw APIError.detail(.badRequest, "Group is being used by \(usedBy) which must be archived first.")
        }
        groups[group.id] = nil
        memberCounts[group.id] = nil
        for (id, contact) in contacts where contact.groupIDs.contains(group.id) {
            contacts[id]?.groupIDs.removeAll { $0 == group.id }
        }
    }

    /// A group name as the flavour checks it: DRF trims it first; TextIt and RapidPro 9 then apply
    /// `NameValidator` (every failing rule reported), Weni `ContactGroup.is_valid_name`; then
    /// uniqueness ignoring case (RapidPro 9's status groups `Active`, `Blocked`… included).
    private func validateGroupName(_ body: JSON, renaming existing: GroupRecord?) throws(APIError) -> String {
        guard case .object = body else {
            throw APIError.invalid("non_field_errors", "Request body should be a single JSON object")
        }
        guard let value = body["name"] else { throw APIError.invalid("name", "This field is required.") }
        if value.isNull { throw APIError.invalid("name", "This field may not be null.") }
        guard let sent = DRFChecks.text(value) else { throw APIError.invalid("name", "Not a valid string.") }
        let name = sent.trimmingSpaces
        if name.isEmpty { throw APIError.invalid("name", "This field may not be blank.") }
        var messages: [String] = []
        let limit = Self.maxNameLength
        if flavor == .weni {
            let first = name.unicodeScalars.first!
            if name.pythonLength > limit {
                messages.append("Ensure this field has no more than \(limit) characters.")
            } else if !(first.properties.isAlphabetic || first.properties.numericType != nil || first == "_") {
                messages.append("Name contains illegal characters.")
            }
        } else {
            if name.pythonLength > limit { messages.append("Cannot be longer than \(limit) characters.") }
            for character in ["\"", "\\"] where name.contains(character) {
                messages.append("Cannot contain the character: \(character)")
                break
            }
            if name.contains("\0") { messages.append("Cannot contain null characters.") }
        }
        let statusNames: Set<String> = flavor.statusGroupNamesClash ? ["active", "blocked", "stopped", "archived"] : []
        if let clash = group(name: name), clash.id != existing?.id {
            messages.append("This field must be unique.")
        } else if statusNames.contains(name.lowercased()) {
            messages.append("This field must be unique.")
        }
        if flavor != .weni && name.pythonLength > limit {
            messages.append("Ensure this field has no more than \(limit) characters.")
        }
        if !messages.isEmpty { throw APIError.invalid([("name", .array(messages.map(JSON.string)))]) }
        return name
    }
}
