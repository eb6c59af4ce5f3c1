import Foundation
import JSON

/// One workspace's contacts, fields and groups: the sandbox's whole data model.
///
/// A value type kept behind a lock, so each request validates and applies its change in one
/// step, as the platform does in one database transaction.
struct Organisation: Sendable {
    static let maxFields = 250
    static let maxGroups = 250
    static let maxItemsPerContact = 100
    static let maxNameLength = 64

    var contacts: [Int: ContactRecord] = [:]
    var fields: [Int: FieldRecord] = [:]
    var groups: [Int: GroupRecord] = [:]
    /// Contact id by URN identity (`tel:+250788123123`): a URN belongs to one contact at most.
    var contactByURN: [String: Int] = [:]
    /// Contact id by UUID, and member counts by group id: indexes so large workspaces
    /// (benchmarks) answer in constant time per lookup.
    var contactByUUID: [String: Int] = [:]
    var memberCounts: [Int: Int] = [:]
    var clock = MicrosecondClock()
    private var lastID = 0
    /// Whose texts and rules the workspace follows.
    let flavor: SandboxFlavor
    /// The simulated flows (`SandboxFlow`).
    var flow = SandboxFlow.none

    init(flavor: SandboxFlavor = .textit) {
        self.flavor = flavor
        if flavor.hasOpenTicketsGroup {
            // `ContactGroup.create_system_groups`: a smart system group, listed by groups.json.
            let id = nextID()
            groups[id] = GroupRecord(
                id: id, uuid: Self.newUUID(), name: "Open Tickets", query: "tickets > 0", usedBy: nil, system: true)
        }
    }

    mutating func nextID() -> Int {
        lastID += 1
        return lastID
    }

    static func newUUID() -> String { UUID().uuidString.lowercased() }

    // MARK: Lookups

    /// The contact with `uuid`, deleted ones included (the platform's lookups by UUID find them).
    func contact(uuid: String) -> ContactRecord? {
        contactByUUID[uuid.lowercased()].flatMap { contacts[$0] }
    }

    /// An active contact by UUID or by URN (normalised when it is one), as
    /// `contact_actions.json` and the admin API look contacts up.
    func activeContact(reference: String) -> ContactRecord? {
        if let byUUID = contact(uuid: reference), byUUID.isActive { return byUUID }
        let urn = PlatformURN.normalise(reference, flavor: flavor) ?? reference
        return contact(urn: urn)
    }

    func contact(urn: String) -> ContactRecord? {
        contactByURN[urn].flatMap { contacts[$0] }
    }

    func field(key: String) -> FieldRecord? {
        fields.values.first { $0.key == key }
    }

    func group(uuid: String) -> GroupRecord? {
        groups.values.first { $0.uuid == uuid.lowercased() }
    }

    /// A group by name, compared case-insensitively as the platform does.
    func group(name: String) -> GroupRecord? {
        let wanted = name.lowercased()
        return groups.values.first { $0.name.lowercased() == wanted }
    }

    func memberCount(ofGroup id: Int) -> Int {
        memberCounts[id] ?? 0
    }

    /// A contact's value for `field` as the API shows it: typed, `nil` when unset or unparsable.
    func value(of field: FieldRecord, for contact: ContactRecord) -> String? {
        contact.fields[field.key].flatMap { FieldValue.normalise($0, as: field.type) }
    }

    // MARK: Answers

    func json(_ contact: ContactRecord) -> JSON {
        let groupRefs: [JSON] = contact.groupIDs.compactMap { groups[$0] }.map {
            ["uuid": .string($0.uuid), "name": .string($0.name)]
        }
        let fieldValues: [(String, JSON)] = fields.values.sorted { $0.id < $1.id }.map {
            ($0.key, value(of: $0, for: contact).json)
        }
        return [
            "uuid": .string(contact.uuid),
            "name": contact.name.json,
            "status": .string(contact.status.rawValue),
            "language": contact.language.json,
            "urns": .array(contact.urns.map(JSON.string)),
            "groups": .array(groupRefs),
            "fields": .object(fieldValues),
            "flow": nil,
            "created_on": .string(MicrosecondClock.format(contact.createdOn)),
            "modified_on": .string(MicrosecondClock.format(contact.modifiedOn)),
            "last_seen_on": nil,
        ]
    }

    /// Both spellings: `name`/`type` (current) and `label`/`value_type` (older servers).
    func json(_ field: FieldRecord) -> JSON {
        if flavor == .weni {
            return [
                "key": .string(field.key), "label": .string(field.label), "value_type": .string(field.type.oldName),
                "pinned": false,
            ]
        }
        return [
            "key": .string(field.key),
            "name": .string(field.label),
            "type": .string(field.type.rawValue),
            "featured": false,
            "priority": 0,
            "usages": ["campaign_events": 0, "flows": 0, "groups": 0],
            "agent_access": "view",
            "label": .string(field.label),
            "value_type": .string(field.type.oldName),
        ]
    }

    /// Weni's group object has no `system` member.
    func json(_ group: GroupRecord) -> JSON {
        var members: [(String, JSON)] = [
            ("uuid", .string(group.uuid)), ("name", .string(group.name)), ("query", group.query.json),
            ("status", "ready"),
        ]
        if flavor != .weni { members.append(("system", .bool(group.system))) }
        members.append(("count", .number(String(memberCount(ofGroup: group.id)))))
        return .object(members)
    }
}
