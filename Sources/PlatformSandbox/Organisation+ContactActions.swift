import JSON

/// `contact_actions.json`: the one bulk write of API v2 (`ContactBulkActionSerializer`, the same
/// in all three flavours apart from the list-size text).
extension Organisation {
    enum ContactAction: String {
        case add, remove, block, unblock, interrupt
        case archiveMessages = "archive_messages"
        case delete
        /// Kept by the platform for backward compatibility: the same as `archive_messages`.
        case archive

        var needsGroup: Bool { self == .add || self == .remove }
    }

    /// Validates the whole body first (members, then the object-level rules) and changes nothing
    /// unless all of it passes: one unknown contact fails the call.
    mutating func performContactAction(_ body: JSON) throws(APIError) {
        guard case .object = body else {
            throw APIError.invalid("non_field_errors", "Request body should be a single JSON object")
        }
        var errors = ValidationErrors()
        var contactIDs: [Int] = []
        var action: ContactAction?
        var group: GroupRecord?

        switch body["contacts"] {
        case nil: errors.add("contacts", "This field is required.")
        case .null?: errors.add("contacts", "This field may not be null.")
        case let value?:
            switch contactReferences(value) {
            case .success(let ids): contactIDs = ids
            case .failure(let problem): errors.add("contacts", problem)
            }
        }

        switch body["action"] {
        case nil: errors.add("action", "This field is required.")
        case .null?: errors.add("action", "This field may not be null.")
        case let value?:
            let name = value.string ?? value.serialized()
            action = ContactAction(rawValue: name)
            if action == nil { errors.add("action", "\"\(name)\" is not a valid choice.") }
        }

        if let value = body["group"], !value.isNull {
            switch groupReference(value, allowSmart: false) {
            case .success(let found): group = found
            case .failure(let problem): errors.add("group", problem)
            }
        }
        try errors.throwIfAny()
        guard let action else { return }

        // `validate()`: the object-level rules, reported under non_field_errors.
        if action.needsGroup && group == nil {
            throw APIError.invalid(
                "non_field_errors", "For action \"\(action.rawValue)\" you should also specify a group")
        }
        if !action.needsGroup && group != nil {
            throw APIError.invalid(
                "non_field_errors", "For action \"\(action.rawValue)\" you should not specify a group")
        }
        if action == .add {
            let inactive = contactIDs.compactMap { contacts[$0] }.filter { $0.status != .active }.map(\.uuid)
            if !inactive.isEmpty {
                throw APIError.invalid(
                    "non_field_errors",
                    "Non-active contacts cannot be added to groups: \(inactive.joined(separator: ", "))")
            }
        }

        switch action {
        case .add: changeGroup(group!.id, contactIDs: contactIDs, add: true)
        case .remove: changeGroup(group!.id, contactIDs: contactIDs, add: false)
        case .block: for id in contactIDs { setStatus(.blocked, ofContact: id) }
        case .unblock: for id in contactIDs { setStatus(.active, ofContact: id) }
        // The sandbox runs no flows and keeps no messages: nothing to interrupt or archive.
        case .interrupt, .archiveMessages, .archive: break
        case .delete: for id in contactIDs { deleteContact(id: id) }
        }
    }

    /// `ContactField(many=True)`: each item a UUID or a URN of an active contact; the first one
    /// not found fails the member with "No such object: X" (X as sent).
    private func contactReferences(_ value: JSON) -> Result<[Int], MemberError> {
        guard case .array(let items) = value else { return .failure(MemberError(DRFChecks.notAList(value))) }
        guard items.count <= Self.maxItemsPerContact else {
            return .failure(MemberError(flavor.tooManyItems(Self.maxItemsPerContact)))
        }
        var ids: [Int] = []
        for item in items {
            guard let reference = DRFChecks.text(item) else {
                return .failure(MemberError("Must be a string or integer"))
            }
            guard let contact = activeContact(reference: reference) else {
                return .failure(MemberError("No such object: \(reference)"))
            }
            if !ids.contains(contact.id) { ids.append(contact.id) }
        }
        // `validate_contacts`, which runs only when every item was found.
        if ids.isEmpty { return .failure(MemberError("Contacts can't be empty.")) }
        return .success(ids)
    }
}
