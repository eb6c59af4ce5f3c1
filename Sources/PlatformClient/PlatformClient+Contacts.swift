import NIOHTTP1
public import SyncCore

extension PlatformClient {
    /// Creates or updates the contact holding `urn` (`POST contacts.json?urn=`): `created` is
    /// true on 201. The platform refuses `urns` in the body of this form, so this refuses it first.
    public func upsert(byURN urn: URN, body: ContactWrite) async throws -> (contact: Contact, created: Bool) {
        precondition(
            body.urns == nil, "POST contacts.json?urn= takes no urns in the body; use update(uuid:) to set URNs")
        let answer = try await send(.POST, "contacts.json", query: [("urn", urn.description)], body: body)
        return (try answer.decode(Contact.self), answer.status == 201)
    }

    /// Updates the contact `uuid` (`POST contacts.json?uuid=`); this form may set the URN list.
    /// Throws `.notFound` when no such contact exists.
    public func update(uuid: String, body: ContactWrite) async throws -> Contact {
        try await send(.POST, "contacts.json", query: [("uuid", uuid)], body: body).decode(Contact.self)
    }

    /// Creates a contact (`POST contacts.json`). Give it the `ext:` URN: a create without a
    /// stable URN is how duplicate contacts are made on redelivery.
    public func create(body: ContactWrite) async throws -> Contact {
        try await send(.POST, "contacts.json", body: body).decode(Contact.self)
    }

    /// The contact with this UUID, or `nil`.
    public func contact(uuid: String) async throws -> Contact? {
        try await send(.GET, "contacts.json", query: [("uuid", uuid)]).decode(Page<Contact>.self).results.first
    }

    /// The contact holding this URN, or `nil`.
    public func contact(urn: URN) async throws -> Contact? {
        try await send(.GET, "contacts.json", query: [("urn", urn.description)]).decode(Page<Contact>.self).results
            .first
    }

    /// Deletes the contact holding `urn`; 204 and 404 both mean it is gone.
    public func delete(urn: URN) async throws -> DeleteOutcome {
        try await delete(query: ("urn", urn.description))
    }

    /// Deletes the contact `uuid`; 204 and 404 both mean it is gone.
    public func delete(uuid: String) async throws -> DeleteOutcome {
        try await delete(query: ("uuid", uuid))
    }

    private func delete(query: (String, String)) async throws -> DeleteOutcome {
        let answer = try await send(.DELETE, "contacts.json", query: [query], allowNotFound: true)
        return answer.status == 404 ? .alreadyGone : .deleted
    }
}
