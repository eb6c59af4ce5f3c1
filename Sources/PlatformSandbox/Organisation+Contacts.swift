import Foundation
import JSON

/// The `GET contacts.json` filters.
struct ContactFilter {
    var uuid: String?
    var urn: String?
    var group: String?
    var before: Int64?
    var after: Int64?
}

extension Organisation {
    /// Active contacts matching `filter`, most recently modified first (the platform's order).
    func contacts(matching filter: ContactFilter) -> [ContactRecord] {
        // A UUID or URN names one contact at most: start from the index, not from everyone.
        var found: [ContactRecord]
        switch (filter.uuid, filter.urn) {
        case (let uuid?, let urn?): found = contact(uuid: uuid).map { [$0] }?.filter { $0.urns.contains(urn) } ?? []
        case (let uuid?, nil): found = contact(uuid: uuid).map { [$0] } ?? []
        case (nil, let urn?): found = contact(urn: urn).map { [$0] } ?? []
        case (nil, nil): found = Array(contacts.values)
        }
        found = found.filter(\.isActive)
        if let wanted = filter.group {
            // `Q(name=group_ref)`, or the UUID: names match exactly here, unlike in write bodies.
            let groupID = (group(uuid: wanted) ?? groups.values.first { $0.name == wanted })?.id
            found = found.filter { contact in groupID.map { contact.groupIDs.contains($0) } ?? false }
        }
        if let before = filter.before { found = found.filter { $0.modifiedOn <= before } }
        if let after = filter.after { found = found.filter { $0.modifiedOn >= after } }
        return found.sorted { $0.modifiedOn > $1.modifiedOn }
    }

    // MARK: Changes

    /// Creates a contact with `changes` (and `urn`, when created through `?urn=`), then lets the
    /// simulated flows act on it.
    /// - Throws: on TextIt, when a URN is held by another contact: mailroom refuses at save time,
    ///   `{"urns": {"<index>": ["URN is in use by another contact."]}}`.
    mutating func createContact(_ changes: ContactChanges, urn: String? = nil) throws(APIError) -> ContactRecord {
        let urns = changes.urns ?? urn.map { [$0] } ?? []
        if let index = urns.firstIndex(where: { self.contact(urn: $0) != nil }) {
            let messages: JSON = .array([.string("URN is in use by another contact.")])
            throw APIError.invalid([("urns", .object([(String(index), messages)]))])
        }
        let now = clock.next()
        let contact = ContactRecord(
            id: nextID(), uuid: Self.newUUID(), name: nil, language: nil, urns: [],
            groupIDs: [], fields: [:], createdOn: now, modifiedOn: now
        )
        contacts[contact.id] = contact
        contactByUUID[contact.uuid] = contact.id
        var all = changes
        all.urns = urns
        var created = apply(all, toContact: contact.id, at: now)
        if let name = flow.groupOnCreate {
            created = putInFlowGroup(contactID: created.id, groupName: name)
        }
        return created
    }

    /// Applies validated `changes` to contact `id`; members not given stay as they are.
    ///
    /// A URN another contact holds is left out (TextIt) or moved to this contact (RapidPro 9,
    /// Weni), per `SandboxFlavor.movesTakenURNOnUpdate`.
    @discardableResult
    mutating func apply(_ changes: ContactChanges, toContact id: Int, at time: Int64? = nil) -> ContactRecord {
        var contact = contacts[id]!
        if let name = changes.name { contact.name = name }
        if let language = changes.language { contact.language = language }
        if let wanted = changes.urns {
            var urns: [String] = []
            for urn in wanted {
                if let holder = contactByURN[urn], holder != id {
                    guard flavor.movesTakenURNOnUpdate else { continue }
                    contacts[holder]?.urns.removeAll { $0 == urn }
                    contacts[holder]?.modifiedOn = clock.next()
                }
                urns.append(urn)
            }
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

    /// Soft deletion (`Contact.release`): out of lists and groups, URNs free for others, the
    /// UUID still known (so writes to it answer "Deleted contacts can't be modified.").
    mutating func deleteContact(id: Int) {
        guard var contact = contacts[id], contact.isActive else { return }
        for urn in contact.urns { contactByURN[urn] = nil }
        for group in contact.groupIDs { memberCounts[group, default: 0] -= 1 }
        contact.urns = []
        contact.groupIDs = []
        contact.isActive = false
        contact.modifiedOn = clock.next()
        contacts[id] = contact
    }

    /// Sets a contact's status as an agent (block, unblock) or the person (stop) would. Blocking,
    /// stopping or archiving takes the contact out of its groups, as mailroom's status modifier does.
    @discardableResult
    mutating func setStatus(_ status: ContactStatus, ofContact id: Int) -> ContactRecord {
        var contact = contacts[id]!
        contact.status = status
        if status != .active {
            for group in contact.groupIDs { memberCounts[group, default: 0] -= 1 }
            contact.groupIDs = []
        }
        contact.modifiedOn = clock.next()
        contacts[id] = contact
        return contact
    }

    /// Adds (or removes) contacts to one group, leaving their other groups alone.
    mutating func changeGroup(_ groupID: Int, contactIDs: [Int], add: Bool) {
        for id in contactIDs {
            guard var contact = contacts[id] else { continue }
            let member = contact.groupIDs.contains(groupID)
            if add && !member {
                contact.groupIDs.append(groupID)
                memberCounts[groupID, default: 0] += 1
            } else if !add && member {
                contact.groupIDs.removeAll { $0 == groupID }
                memberCounts[groupID, default: 0] -= 1
            } else {
                continue
            }
            contact.modifiedOn = clock.next()
            contacts[id] = contact
        }
    }

    /// What a trigger flow does: the contact joins the group, which is made when missing.
    private mutating func putInFlowGroup(contactID: Int, groupName: String) -> ContactRecord {
        let groupID: Int
        if let existing = group(name: groupName) {
            groupID = existing.id
        } else {
            let id = nextID()
            groups[id] = GroupRecord(id: id, uuid: Self.newUUID(), name: groupName, query: nil, usedBy: nil)
            groupID = id
        }
        changeGroup(groupID, contactIDs: [contactID], add: true)
        return contacts[contactID]!
    }
}
