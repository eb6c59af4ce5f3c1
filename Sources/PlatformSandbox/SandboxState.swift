/// A snapshot of the sandbox's workspace, for tests and the demo's summary.
public struct SandboxState: Sendable, Equatable, Codable {
    public struct Contact: Sendable, Equatable, Codable {
        public var uuid: String
        public var name: String?
        /// `active`, `blocked`, `stopped` or `archived`.
        public var status: ContactStatus
        public var language: String?
        public var urns: [String]
        /// Group names, in the contact's order.
        public var groups: [String]
        /// Values of the fields that are set, by key.
        public var fields: [String: String]
        public var createdOn: String
        public var modifiedOn: String
    }

    public struct Field: Sendable, Equatable, Codable {
        public var key: String
        public var label: String
        /// The current type name: `text`, `number`, `datetime`, `state`, `district`, `ward`.
        public var type: String
    }

    public struct Group: Sendable, Equatable, Codable {
        public var uuid: String
        public var name: String
        /// The query of a smart group; `nil` for groups contacts are put in by hand.
        public var query: String?
        public var count: Int
    }

    /// Active (not deleted) contacts, most recently modified first.
    public var contacts: [Contact]
    /// Oldest first.
    public var fields: [Field]
    /// User groups (system groups such as "Open Tickets" left out), oldest first.
    public var groups: [Group]

    /// The contact holding `urn` (in its normalised form, e.g. `ext:123`).
    public func contact(urn: String) -> Contact? {
        contacts.first { $0.urns.contains(urn) }
    }

    public func group(named name: String) -> Group? {
        groups.first { $0.name == name }
    }
}

extension Organisation {
    /// The set values of a contact's fields as the API shows them, by key.
    func fieldValues(of contact: ContactRecord) -> [String: String] {
        var values: [String: String] = [:]
        for field in fields.values {
            if let value = value(of: field, for: contact) { values[field.key] = value }
        }
        return values
    }

    func snapshot(of contact: ContactRecord) -> SandboxState.Contact {
        SandboxState.Contact(
            uuid: contact.uuid, name: contact.name, status: contact.status, language: contact.language,
            urns: contact.urns,
            groups: contact.groupIDs.compactMap { groups[$0]?.name },
            fields: fieldValues(of: contact),
            createdOn: MicrosecondClock.format(contact.createdOn),
            modifiedOn: MicrosecondClock.format(contact.modifiedOn)
        )
    }

    var snapshot: SandboxState {
        SandboxState(
            contacts: contacts(matching: ContactFilter()).map { snapshot(of: $0) },
            fields: fields.values.sorted { $0.id < $1.id }.map {
                SandboxState.Field(key: $0.key, label: $0.label, type: $0.type.rawValue)
            },
            groups: groups.values.filter { !$0.system }.sorted { $0.id < $1.id }.map {
                SandboxState.Group(uuid: $0.uuid, name: $0.name, query: $0.query, count: memberCount(ofGroup: $0.id))
            }
        )
    }
}
