import Foundation
import PlatformClient
import SyncCore
import Synchronization

/// Writes one (merged) change to the platform, as events.md's last table says: ensure groups and
/// fields, then write the contact keyed by its `ext:` URN, never creating one without it.
/// Idempotent: running it twice leaves the platform as running it once.
final class ContactHandler: Sendable {
    enum Result: Sendable, Equatable {
        case created(uuid: String)
        case updated(uuid: String)
        case deleted
    }

    let client: PlatformClient
    let registry: Registry
    /// Entity key → the contact's UUID and URNs, so most events cost one `?uuid=` call.
    let known: Mutex<[String: KnownContact]>
    let beforeCall: @Sendable () async throws -> Void

    struct KnownContact: Sendable {
        var uuid: String
        var urns: [String]
    }

    init(client: PlatformClient, registry: Registry, beforeCall: @escaping @Sendable () async throws -> Void) {
        self.client = client
        self.registry = registry
        self.beforeCall = beforeCall
        known = Mutex([:])
    }

    func remember(_ key: String, uuid: String?) {
        guard let uuid else { return }
        known.withLock { cache in
            if cache[key] == nil { cache[key] = KnownContact(uuid: uuid, urns: []) }
        }
    }

    func apply(_ change: ContactChange) async throws -> Result {
        switch change.action {
        case .delete:
            return try await delete(change)
        case .recreate(let patch):
            _ = try await delete(change)
            return try await upsert(change, patch)
        case .upsert(let patch):
            return try await upsert(change, patch)
        }
    }

    private func delete(_ change: ContactChange) async throws -> Result {
        try await beforeCall()
        _ = try await client.delete(urn: change.extURN)   // 204 and 404 both mean gone
        known.withLock { $0[change.entityKey] = nil }
        return .deleted
    }

    private func upsert(_ change: ContactChange, _ patch: ContactPatch) async throws -> Result {
        var body = try await write(for: patch)
        let key = change.entityKey
        let cached = known.withLock { $0[key] }

        if let cached, !cached.urns.isEmpty || !patch.touchesURNs {
            // The common case: one call by UUID, URNs included when the event changes them.
            if patch.touchesURNs { body.urns = Self.urns(current: cached.urns, ext: change.extURN, patch: patch) }
            do {
                try await beforeCall()
                let contact = try await client.update(uuid: cached.uuid, body: body)
                known.withLock { $0[key] = KnownContact(uuid: contact.uuid, urns: contact.urns) }
                return .updated(uuid: contact.uuid)
            } catch let error as PlatformError where error.status == 404 {
                known.withLock { $0[key] = nil }   // deleted behind our back: write it again by URN
                body.urns = nil
            }
        }

        if cached == nil && patch.touchesURNs {
            // Probably new: one create with every URN, the ext: URN first.
            var create = body
            create.urns = Self.urns(current: [change.extURN.description], ext: change.extURN, patch: patch)
            do {
                try await beforeCall()
                let contact = try await client.create(body: create)
                known.withLock { $0[key] = KnownContact(uuid: contact.uuid, urns: contact.urns) }
                return .created(uuid: contact.uuid)
            } catch let error as PlatformError where error.isURNTakenByAnotherContact {
                // It exists already (the ext: URN) or a URN is held elsewhere: go by the ext: URN.
            }
        }

        try await beforeCall()
        let (contact, created) = try await client.upsert(byURN: change.extURN, body: body)
        var stored = KnownContact(uuid: contact.uuid, urns: contact.urns)
        if patch.touchesURNs {
            let wanted = Self.urns(current: contact.urns, ext: change.extURN, patch: patch)
            if wanted != contact.urns {
                try await beforeCall()
                let updated = try await client.update(uuid: contact.uuid, body: ContactWrite(urns: wanted))
                stored.urns = updated.urns
            }
        }
        known.withLock { $0[key] = stored }
        return created ? .created(uuid: contact.uuid) : .updated(uuid: contact.uuid)
    }

    /// The contact's URN list after the patch: the ext: URN first, each touched scheme replaced.
    static func urns(current: [String], ext: URN, patch: ContactPatch) -> [String] {
        var result = [ext.description]
        let touched: [(String, Update<URN>?)] = [("tel", patch.phone), ("whatsapp", patch.whatsapp), ("mailto", patch.email)]
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

    /// The members of the write: groups and fields resolved to UUIDs and keys (created if missing).
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
        switch patch.groups {
        case .set(let names)?:
            var uuids: [String] = []
            for name in names {
                uuids.append(try await registry.groupUUID(name: name))
            }
            body.groups = uuids
        case .clear?: body.groups = []
        case nil: break
        }
        for (label, update) in patch.fields.sorted(by: { $0.key < $1.key }) {
            let type: FieldType = switch update {
            case .set(.number): .number
            case .set(.datetime): .datetime
            default: .text
            }
            let key = try await registry.fieldKey(label: label, type: type)
            switch update {
            case .set(.number(let digits)): body.fields[key] = .number(Decimal(string: digits) ?? 0)
            case .set(let value): body.fields[key] = .text(value.text)
            case .clear: body.fields[key] = .some(nil)
            }
        }
        return body
    }
}
