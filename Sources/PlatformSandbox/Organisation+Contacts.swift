import Foundation
import SyncCore

/// What a `POST contacts.json` body asks to change; `nil` members stay as they are.
struct ContactChanges {
    var name: String??
    var language: String??
    var urns: [String]?
    var groupIDs: [Int]?
    /// New values (as sent) by key; a `nil` value clears the field.
    var fields: [String: String?]?
}

/// The `GET contacts.json` filters.
struct ContactFilter {
    var uuid: String?
    var urn: String?
    var group: String?
    var before: Int64?
    var after: Int64?
}

extension Organisation {
    /// Contacts matching `filter`, most recently modified first (the platform's order).
    func contacts(matching filter: ContactFilter) -> [ContactRecord] {
        // A UUID or URN names one contact at most: start from the index, not from everyone.
        var found: [ContactRecord]
        switch (filter.uuid, filter.urn) {
        case let (uuid?, urn?): found = contact(uuid: uuid).map { [$0] }?.filter { $0.urns.contains(urn) } ?? []
        case let (uuid?, nil): found = contact(uuid: uuid).map { [$0] } ?? []
        case let (nil, urn?): found = contact(urn: urn).map { [$0] } ?? []
        case (nil, nil): found = Array(contacts.values)
        }
        if let wanted = filter.group {
            let groupID = (group(uuid: wanted) ?? group(name: wanted))?.id
            found = found.filter { contact in groupID.map { contact.groupIDs.contains($0) } ?? false }
        }
        if let before = filter.before { found = found.filter { $0.modifiedOn <= before } }
        if let after = filter.after { found = found.filter { $0.modifiedOn >= after } }
        return found.sorted { $0.modifiedOn > $1.modifiedOn }
    }

    /// Checks a contact body against the platform's rules, every member at once.
    /// - Parameters:
    ///   - contactID: the contact being updated (its own URNs are not "another contact's").
    ///   - urnInURL: whether the request names the contact by `?urn=` (then `urns` is refused).
    func validateContact(_ body: JSONValue, contactID: Int?, urnInURL: Bool) throws(APIError) -> ContactChanges {
        guard case .object = body else {
            throw APIError.invalid("non_field_errors", "Request body should be a single JSON object")
        }
        var errors = ValidationErrors()
        var changes = ContactChanges()

        switch body["name"] {
        case nil: break
        case .null?: changes.name = .some(nil)
        case let .string(sent)?:
            // Surrounding whitespace is dropped, as Django REST framework's CharField does.
            let name = sent.trimmingCharacters(in: .whitespacesAndNewlines)
            if name.count > Self.maxNameLength {
                errors.add("name", "Ensure this field has no more than \(Self.maxNameLength) characters.")
            } else {
                changes.name = .some(name.isEmpty ? nil : name)
            }
        default: errors.add("name", "Not a valid string.")
        }

        switch body["language"] {
        case nil: break
        case .null?: changes.language = .some(nil)
        case let .string(code)? where code.isEmpty: changes.language = .some(nil)
        case let .string(code)? where Language.isValid(code): changes.language = .some(code)
        default: errors.add("language", "Not a valid ISO639-3 code.")
        }

        if let urns = body["urns"] {
            if urnInURL {
                errors.add("urns", "Field not allowed when using URN in URL")
            } else if let (parsed, problem) = validateURNs(urns, contactID: contactID) {
                if let problem { errors.add("urns", problem) } else { changes.urns = parsed }
            }
        }

        if let groupsValue = body["groups"] {
            switch validateGroups(groupsValue) {
            case let .success(ids): changes.groupIDs = ids
            case let .failure(message): errors.add("groups", message)
            }
        }

        if let fieldsValue = body["fields"] {
            switch validateFieldValues(fieldsValue) {
            case let .success(values): changes.fields = values
            case let .failure(message): errors.add("fields", message)
            }
        }

        try errors.throwIfAny()
        return changes
    }

    /// Normalised URNs, or the `urns` member's error body.
    private func validateURNs(_ value: JSONValue, contactID: Int?) -> ([String], JSONValue?)? {
        guard case let .array(items) = value else {
            return ([], [.string(Self.notAList(value))])
        }
        guard items.count <= Self.maxItemsPerContact else {
            return ([], [.string("Ensure this field has no more than \(Self.maxItemsPerContact) elements.")])
        }
        var normalised: [String] = []
        var problems: [(String, JSONValue)] = []
        for (index, item) in items.enumerated() {
            guard case let .string(text) = item else {
                problems.append((String(index), ["Not a valid string."]))
                continue
            }
            guard let urn = try? URN(parsing: text) else {
                problems.append((String(index), [.string("Invalid URN: \(text)")]))
                continue
            }
            let identity = urn.description
            if let owner = contactByURN[identity], owner != contactID {
                problems.append((String(index), [.string("URN belongs to another contact: \(identity)")]))
            } else if !normalised.contains(identity) {
                normalised.append(identity)
            }
        }
        return problems.isEmpty ? (normalised, nil) : ([], .object(problems))
    }

    private func validateGroups(_ value: JSONValue) -> Result<[Int], MemberError> {
        guard case let .array(items) = value else { return .failure(MemberError(Self.notAList(value))) }
        guard items.count <= Self.maxItemsPerContact else {
            return .failure(MemberError("Ensure this field has no more than \(Self.maxItemsPerContact) elements."))
        }
        var ids: [Int] = []
        for item in items {
            // A UUID or a name, or a `{"uuid": …, "name": …}` reference as the seed tutorial sends.
            let reference = item.stringValue ?? item["uuid"]?.stringValue ?? item["name"]?.stringValue
            guard let reference, let group = group(uuid: reference) ?? group(name: reference) else {
                return .failure(MemberError("No such object: \(item.stringValue ?? item.serialized())"))
            }
            if group.query != nil {
                return .failure(MemberError("Contact group must not be query based: \(group.name)"))
            }
            if !ids.contains(group.id) { ids.append(group.id) }
        }
        return .success(ids)
    }

    private func validateFieldValues(_ value: JSONValue) -> Result<[String: String?], MemberError> {
        guard case let .object(members) = value else {
            return .failure(MemberError("Expected a dictionary of items but got type \"\(Self.typeName(value))\"."))
        }
        guard members.count <= Self.maxItemsPerContact else {
            return .failure(MemberError("Ensure this field has no more than \(Self.maxItemsPerContact) elements."))
        }
        var values: [String: String?] = [:]
        for (key, raw) in members {
            guard let field = field(key: key) else {
                return .failure(MemberError("Invalid contact field key: \(key)"))
            }
            // The text is kept as sent (empty clears); its typed form is derived when shown.
            switch raw {
            case .null: values[key] = .some(nil)
            case let .string(text): values[key] = .some(text.allSatisfy(\.isWhitespace) ? nil : text)
            case let .number(number): values[key] = .some(JSONValue.format(number))
            default: return .failure(MemberError("Invalid value for contact field key: \(field.key)"))
            }
        }
        return .success(values)
    }

    static func notAList(_ value: JSONValue) -> String {
        "Expected a list of items but got type \"\(typeName(value))\"."
    }

    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: "NoneType"
        case .bool: "bool"
        case .number: "float"
        case .string: "str"
        case .array: "list"
        case .object: "dict"
        }
    }

    // MARK: Changes

    /// Creates a contact with `changes` (and `urn`, when created through `?urn=`).
    mutating func createContact(_ changes: ContactChanges, urn: String? = nil) -> ContactRecord {
        let now = clock.next()
        let contact = ContactRecord(
            id: nextID(), uuid: Self.newUUID(), name: nil, language: nil, urns: urn.map { [$0] } ?? [],
            groupIDs: [], fields: [:], createdOn: now, modifiedOn: now
        )
        contacts[contact.id] = contact
        contactByUUID[contact.uuid] = contact.id
        if let urn { contactByURN[urn] = contact.id }
        return apply(changes, toContact: contact.id, at: now)
    }

    /// Applies validated `changes` to contact `id`; members not given stay as they are.
    @discardableResult
    mutating func apply(_ changes: ContactChanges, toContact id: Int, at time: Int64? = nil) -> ContactRecord {
        var contact = contacts[id]!
        if let name = changes.name { contact.name = name }
        if let language = changes.language { contact.language = language }
        if let urns = changes.urns {
            for old in contact.urns where !urns.contains(old) { contactByURN[old] = nil }
            for new in urns { contactByURN[new] = id }
            contact.urns = urns
        }
        if let groupIDs = changes.groupIDs {
            for old in contact.groupIDs { memberCounts[old, default: 0] -= 1 }
            for new in groupIDs { memberCounts[new, default: 0] += 1 }
            contact.groupIDs = groupIDs
        }
        for (key, value) in changes.fields ?? [:] { contact.fields[key] = value }
        contact.modifiedOn = time ?? clock.next()
        contacts[id] = contact
        return contact
    }

    mutating func deleteContact(id: Int) {
        guard let contact = contacts.removeValue(forKey: id) else { return }
        for urn in contact.urns { contactByURN[urn] = nil }
        for group in contact.groupIDs { memberCounts[group, default: 0] -= 1 }
        contactByUUID[contact.uuid] = nil
    }
}

/// A member's single error message (the platform's list holds one message here).
struct MemberError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

extension ValidationErrors {
    mutating func add(_ member: String, _ error: MemberError) { add(member, error.message) }
}
