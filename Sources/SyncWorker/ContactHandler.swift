import Foundation
import Logging
import Metrics
import PlatformClient
import SyncCore
import Synchronization

/// Writes one (merged) change to the platform, keyed by the contact's `ext:` URN and never
/// creating a contact without it. Idempotent: running it twice leaves the platform as running
/// it once. Every call goes through the `PlatformGate` (budget, per-call retries), so a step
/// that worked (a field created, the contact written) is not repeated when a later one fails.
///
/// Memberships: the platform's `groups` member replaces all of a contact's groups, including
/// those a flow or an agent added. So `groups` is sent only when creating a contact; after
/// that, memberships change through `contact_actions.json` `add`/`remove` (batched across
/// contacts by `ActionBatcher`), which touch one group each: groups an event names are added;
/// groups the configuration lists as managed and the event does not name are removed; any
/// other group stays. A contact that is not active (blocked, stopped, archived) keeps its
/// memberships: the platform refuses group changes for it, so they are skipped and counted.
final class ContactHandler: Sendable {
    struct Result: Sendable, Equatable {
        enum Kind: Sendable, Equatable { case created, updated, deleted }
        var kind: Kind
        var uuid: String?
        /// URNs the platform left out because another contact holds them.
        var urnConflicts: [String] = []
        /// The contact's URNs as the platform answered (kept with the version, see `AppliedVersion.urns`).
        var urns: [String]?
        /// Group changes not made because the contact is not active.
        var skippedGroupChanges = 0
    }

    let client: PlatformClient
    let registry: Registry
    let gate: PlatformGate
    let actions: ActionBatcher
    /// Lower-cased names of the groups contact-sync owns.
    let managedGroups: Set<String>
    /// `managedGroups` in order, as `ImageDigest` reads them.
    let sortedManagedGroups: [String]
    let unmanagedGroups: UnmanagedGroups
    let logger: Logger
    /// Entity key → the contact's UUID and URNs, so most events cost one `?uuid=` call. Bounded:
    /// the UUID of any entity is in the guard's store and comes back with its next event
    /// (`remember`); only the URNs of an entity not seen for a while cost a lookup again.
    let known = Mutex(RecentEntries<KnownContact>(capacity: ContactHandler.knownCapacity))
    static let knownCapacity = 16_384

    struct KnownContact: Sendable {
        var uuid: String
        var urns: [String]
    }

    init(
        client: PlatformClient, registry: Registry, gate: PlatformGate, actions: ActionBatcher, managedGroups: [String],
        logger: Logger
    ) {
        self.client = client
        self.registry = registry
        self.gate = gate
        self.actions = actions
        self.managedGroups = Set(managedGroups.map { $0.lowercased() })
        sortedManagedGroups = self.managedGroups.sorted()
        unmanagedGroups = UnmanagedGroups(managed: self.managedGroups, logger: logger)
        self.logger = logger
    }

    /// What the version guard knows of the contact (UUID, and the URNs of the last write): a
    /// partition's new owner then writes by UUID too. It replaces what the cache holds: the
    /// store is written after every write of this instance and restored from the versions topic
    /// at assignment, so it is never older, while the cache may still hold what this instance
    /// wrote before the partition went to another owner and came back.
    func remember(_ key: String, uuid: String?, urns: [String]? = nil) {
        guard let uuid else { return }
        known.withLock { cache in
            if let urns {
                cache.insert(key, KnownContact(uuid: uuid, urns: urns))
            } else if cache.value(key)?.uuid != uuid {
                // A version from before versions carried URNs: only the UUID is known.
                cache.insert(key, KnownContact(uuid: uuid, urns: []))
            }
        }
    }

    /// Applies `change`. `ticket` is a `v2.contacts` budget ticket taken before the batch was
    /// formed: the first contact call uses it, and it is given back when none is made.
    /// `contactCallsDone` runs once the contact calls are over and only batched actions are left
    /// (a delete, memberships): they wait in the batcher for company, which needs none of the
    /// lane's call slot. The batcher is told of them first, so it never takes a lane that gave its
    /// slot back for one with nothing more to hand in.
    func apply(
        _ change: ContactChange, budget: RetryBudget, ticket: ScopeBudget.Ticket?,
        contactCallsDone: @escaping @Sendable () async -> Void = {}
    ) async throws -> Result {
        let tickets = TicketHolder(ticket)
        do {
            let result = try await applyHoldingTicket(
                change, budget: budget, tickets: tickets, done: contactCallsDone)
            if let unused = tickets.take() { await gate.budget(.contacts).release(unused) }
            return result
        } catch {
            if let unused = tickets.take() { await gate.budget(.contacts).release(unused) }
            throw error
        }
    }

    private func applyHoldingTicket(
        _ change: ContactChange, budget: RetryBudget, tickets: TicketHolder, done: @escaping @Sendable () async -> Void
    ) async throws -> Result {
        switch change.action {
        case .delete:
            return try await delete(change, budget, done)
        case .recreate(let patch):
            _ = try await delete(change, budget, {})  // the slot is still wanted for the write
            return try await upsert(change, patch, budget, tickets, done)
        case .upsert(let patch):
            return try await upsert(change, patch, budget, tickets, done)
        }
    }

    /// Deletes through `contact_actions.json`, batched with other lanes' deletes; an unknown
    /// contact is gone already.
    private func delete(_ change: ContactChange, _ budget: RetryBudget, _ contactCallsDone: @Sendable () async -> Void)
        async throws -> Result
    {
        await actions.announce(1)
        await contactCallsDone()
        _ = try await actions.perform(.delete, contact: change.extURN.description, budget: budget, announced: true)
        known.withLock { $0.remove(change.entityKey) }
        return Result(kind: .deleted)
    }

    private func contactsCall<T: Sendable>(
        _ budget: RetryBudget, _ tickets: TicketHolder,
        _ body: @Sendable @escaping () async throws -> T
    ) async throws -> T {
        try await gate.call(.contacts, budget, ticket: tickets.take(), body)
    }

    private func upsert(
        _ change: ContactChange, _ patch: ContactPatch, _ budget: RetryBudget, _ tickets: TicketHolder,
        _ done: @escaping @Sendable () async -> Void
    ) async throws -> Result {
        var body = try await write(for: patch)
        let key = change.entityKey
        let client = self.client
        let ext = change.extURN

        if let cached = known.withLock({ $0.value(key) }), !cached.urns.isEmpty || !patch.touchesURNs {
            // The common case: one call by UUID, URNs included when the event changes them.
            var sent: [String] = []
            if patch.touchesURNs {
                sent = Self.urns(current: cached.urns, ext: ext, patch: patch)
                body.urns = sent
            }
            let write = body
            do {
                let contact = try await contactsCall(budget, tickets) {
                    try await client.update(uuid: cached.uuid, body: write)
                }
                store(key, contact)
                var result = Result(
                    kind: .updated, uuid: contact.uuid, urnConflicts: sent.filter { !contact.urns.contains($0) },
                    urns: contact.urns)
                result.skippedGroupChanges = try await syncGroups(of: contact, named: patch.groups, budget, done)
                return result
            } catch let error as PlatformError where error.isDeletedContact {
                // Deleted on the platform behind our back: written again by its ext: URN.
                known.withLock { $0.remove(key) }
                body.urns = nil
            }
        } else if known.withLock({ $0.value(key) }) == nil && patch.touchesURNs {
            // Probably new: one create with every URN (the ext: URN first) and the groups.
            if let created = try await create(change, patch, body, budget, tickets) { return created }
        }
        return try await upsertByURN(change, patch, body, budget, tickets, done)
    }

    /// Creates the contact; `nil` when its ext: URN exists already (go by that URN instead).
    private func create(
        _ change: ContactChange, _ patch: ContactPatch, _ body: ContactWrite, _ budget: RetryBudget,
        _ tickets: TicketHolder
    ) async throws -> Result? {
        var create = body
        create.urns = Self.urns(current: [change.extURN.description], ext: change.extURN, patch: patch)
        create.groups = try await groupUUIDs(named: patch.groups)
        var conflicts: [String] = []
        let client = self.client
        for _ in 0..<2 {
            let attempt = create
            do {
                let contact = try await contactsCall(budget, tickets) { try await client.create(body: attempt) }
                store(change.entityKey, contact)
                return Result(kind: .created, uuid: contact.uuid, urnConflicts: conflicts, urns: contact.urns)
            } catch let error as PlatformError where error.isURNTakenByAnotherContact {
                let taken = error.takenURNs(of: attempt.urns ?? [])
                // The ext: URN taken (or an answer we cannot place): the contact exists.
                guard !taken.isEmpty, !taken.contains(change.extURN.description) else { return nil }
                conflicts += taken
                create.urns = attempt.urns?.filter { !taken.contains($0) }
            }
        }
        return nil
    }

    /// `POST contacts.json?urn=<ext>` (creates or updates), then the URN list by UUID when it
    /// differs, then memberships.
    private func upsertByURN(
        _ change: ContactChange, _ patch: ContactPatch, _ body: ContactWrite, _ budget: RetryBudget,
        _ tickets: TicketHolder, _ done: @escaping @Sendable () async -> Void
    ) async throws -> Result {
        var write = body
        write.urns = nil
        write.groups = nil
        let client = self.client
        let ext = change.extURN
        let sent = write
        let (contact, created) = try await contactsCall(budget, tickets) {
            try await client.upsert(byURN: ext, body: sent)
        }
        var current = contact
        var conflicts: [String] = []
        if patch.touchesURNs {
            let wanted = Self.urns(current: contact.urns, ext: ext, patch: patch)
            if wanted != contact.urns {
                let uuid = contact.uuid
                current = try await contactsCall(budget, tickets) {
                    try await client.update(uuid: uuid, body: ContactWrite(urns: wanted))
                }
                conflicts = wanted.filter { !current.urns.contains($0) }
            }
        }
        store(change.entityKey, current)
        var result = Result(
            kind: created ? .created : .updated, uuid: contact.uuid, urnConflicts: conflicts, urns: current.urns)
        result.skippedGroupChanges = try await syncGroups(of: current, named: patch.groups, budget, done)
        return result
    }

    private func store(_ key: String, _ contact: Contact) {
        known.withLock { $0.insert(key, KnownContact(uuid: contact.uuid, urns: contact.urns)) }
    }

    /// Adds the groups the event names and removes the managed ones it does not, one
    /// `contact_actions.json` membership each (batched across contacts). Answers how many
    /// changes were skipped because the contact is not active.
    private func syncGroups(
        of contact: Contact, named: Update<[String]>?, _ budget: RetryBudget,
        _ contactCallsDone: @Sendable () async -> Void
    ) async throws -> Int {
        guard let named else { return 0 }
        let wanted: [String] = if case .set(let names) = named { names } else { [] }
        unmanagedGroups.note(wanted)
        let wantedFolded = Set(wanted.map { $0.lowercased() })
        let current = Set(contact.groups.map { $0.name.lowercased() })
        let toAdd = wanted.filter { !current.contains($0.lowercased()) }
        let toRemove = contact.groups.filter {
            managedGroups.contains($0.name.lowercased()) && !wantedFolded.contains($0.name.lowercased())
        }
        let changes = toAdd.count + toRemove.count
        guard changes > 0 else { return 0 }
        if let status = contact.status, status != "active" {
            skippedGroupChanges(changes, contact: contact)
            return changes
        }
        var work: [(ContactAction, String)] = toRemove.map { (.remove, $0.uuid) }
        for name in toAdd { work.append((.add, try await registry.groupUUID(name: name))) }
        await actions.announce(work.count)
        await contactCallsDone()
        let actions = self.actions
        let uuid = contact.uuid
        let skipped = try await withThrowingTaskGroup(of: Int.self) { group in
            for (action, groupUUID) in work {
                group.addTask {
                    do {
                        _ = try await actions.perform(
                            action, contact: uuid, group: groupUUID, budget: budget, announced: true)
                        return 0
                    } catch let error as PlatformError where error.isNonActiveContact {
                        return 1  // stopped or blocked since the write: the platform keeps it out
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        if skipped > 0 { skippedGroupChanges(skipped, contact: contact) }
        return skipped
    }

    private func skippedGroupChanges(_ count: Int, contact: Contact) {
        Counter(label: MetricNames.groupChangesSkipped, dimensions: [("reason", "contact_not_active")]).increment(
            by: count)
        logger.info(
            "group changes skipped: the contact is not active",
            metadata: [
                "contact_uuid": "\(contact.uuid)", "status": "\(contact.status ?? "-")", "changes": "\(count)",
            ])
    }

    private func groupUUIDs(named: Update<[String]>?) async throws -> [String]? {
        switch named {
        case .set(let names)?:
            unmanagedGroups.note(names)
            var uuids: [String] = []
            for name in names { uuids.append(try await registry.groupUUID(name: name)) }
            return uuids
        case .clear?: return []
        case nil: return nil
        }
    }

    /// The contact's URN list after the patch: the ext: URN first, each touched scheme replaced.
    static func urns(current: [String], ext: URN, patch: ContactPatch) -> [String] {
        var result = [ext.description]
        let touched: [(String, Update<URN>?)] = [
            ("tel", patch.phone), ("whatsapp", patch.whatsapp), ("mailto", patch.email),
        ]
        for urn in current where urn != ext.description {
            let scheme = String(urn.prefix { $0 != ":" })
            if touched.contains(where: { $0.0 == scheme && $0.1 != nil }) { continue }
            result.append(urn)
        }
        for (_, update) in touched {
            if case .set(let urn)? = update, !result.contains(urn.description) { result.append(urn.description) }
        }
        return result
    }

    /// The members of the write: fields resolved to keys (created if missing).
    private func write(for patch: ContactPatch) async throws -> ContactWrite {
        var body = ContactWrite()
        switch patch.name {
        case .set(let name)?: body.name = .set(name)
        case .clear?: body.name = .clear
        case nil: break
        }
        switch patch.language {
        case .set(let code)?: body.language = .set(code)
        case .clear?: body.language = .clear
        case nil: break
        }
        for (key, update) in patch.fields {  // in key order
            let type: FieldType =
                switch update {
                case .set(.number): .number
                case .set(.datetime): .datetime
                default: .text
                }
            let created = try await registry.ensureField(key: key, type: type)
            switch update {
            case .set(.number(let digits)):
                // The decoder lets only finite numbers through; text keeps any other exactly.
                body.fields[created] = Decimal(string: digits).map { .number($0) } ?? .text(digits)
            case .set(let value): body.fields[created] = .text(value.text)
            case .clear: body.fields[created] = .some(nil)
            }
        }
        return body
    }
}

/// The batch's budget ticket, used by the first contact call at most once.
final class TicketHolder: Sendable {
    private let ticket: Mutex<ScopeBudget.Ticket?>
    init(_ ticket: ScopeBudget.Ticket?) { self.ticket = Mutex(ticket) }
    func take() -> ScopeBudget.Ticket? {
        ticket.withLock { held in
            defer { held = nil }
            return held
        }
    }
}
