import Foundation
import Hummingbird
import JSON
import Synchronization

/// One API request, reduced to what the endpoints read.
struct APIRequest {
    let method: HTTPRequest.Method
    let endpoint: String
    let query: QueryParameters
    let body: JSON
    let pagination: Pagination
}

/// An endpoint's answer: status and JSON body (`nil` for `204`).
struct APIAnswer {
    let status: HTTPResponse.Status
    let body: JSON?
}

/// contacts.json, fields.json and groups.json over the shared organisation.
final class Endpoints: Sendable {
    let organisation: Mutex<Organisation>
    let flavor: SandboxFlavor

    init(flavor: SandboxFlavor) {
        self.flavor = flavor
        organisation = Mutex(Organisation(flavor: flavor))
    }

    static let names: Set<String> = ["contacts.json", "fields.json", "groups.json", "contact_actions.json"]

    func answer(_ request: APIRequest) throws(APIError) -> APIAnswer {
        switch (request.endpoint, request.method) {
        case ("contacts.json", .get): return try listContacts(request)
        case ("contacts.json", .post): return try writeContact(request)
        case ("contacts.json", .delete): return try deleteContact(request)
        case ("fields.json", .get): return try listFields(request)
        case ("fields.json", .post): return try writeField(request)
        case ("groups.json", .get): return try listGroups(request)
        case ("groups.json", .post): return try writeGroup(request)
        case ("groups.json", .delete): return try deleteGroup(request)
        case ("contact_actions.json", .post):
            try organisation.withLock { org throws(APIError) in try org.performContactAction(request.body) }
            return APIAnswer(status: .noContent, body: nil)
        default: throw APIError.detail(.methodNotAllowed, "Method \"\(request.method.rawValue)\" not allowed.")
        }
    }

    // MARK: contacts.json

    private func listContacts(_ request: APIRequest) throws(APIError) -> APIAnswer {
        var filter = ContactFilter()
        filter.uuid = try request.query["uuid"].map { (text: String) throws(APIError) in try self.checkedUUID(text) }
        filter.urn = try request.query["urn"].map { (text: String) throws(APIError) in try self.normalisedURN(text) }
        filter.group = request.query["group"]
        filter.before = request.query["before"].flatMap(ISODateTime.parse)
        filter.after = request.query["after"].flatMap(ISODateTime.parse)
        return try organisation.withLock { org throws(APIError) in
            let page = try request.pagination.page(org.contacts(matching: filter), key: \.modifiedOn) { org.json($0) }
            return APIAnswer(status: .ok, body: page)
        }
    }

    private func writeContact(_ request: APIRequest) throws(APIError) -> APIAnswer {
        let (uuid, urn) = try contactReference(request.query, required: false)
        // Each write is its own statement: in `org.json(org.apply(…))` the receiver is copied
        // before the mutation, which then copies every contact (O(n) per request).
        return try organisation.withLock { org throws(APIError) in
            if let uuid {
                // Deleted contacts are found too: their answer is a 400, not a 404.
                guard let contact = org.contact(uuid: uuid) else { throw APIError.notFound }
                let changes = try org.validateContact(request.body, existing: contact, urnInURL: false)
                let updated = org.apply(changes, toContact: contact.id)
                return APIAnswer(status: .ok, body: org.json(updated))
            }
            if let urn {
                let existing = org.contact(urn: urn)
                let changes = try org.validateContact(request.body, existing: existing, urnInURL: true)
                if let existing {
                    let updated = org.apply(changes, toContact: existing.id)
                    return APIAnswer(status: .ok, body: org.json(updated))
                }
                let created = try org.createContact(changes, urn: urn)
                return APIAnswer(status: .created, body: org.json(created))
            }
            let changes = try org.validateContact(request.body, existing: nil, urnInURL: false)
            let created = try org.createContact(changes)
            return APIAnswer(status: .created, body: org.json(created))
        }
    }

    /// A deleted contact answers 404 here: its URNs are gone, and a second delete finds nothing
    /// to release.
    private func deleteContact(_ request: APIRequest) throws(APIError) -> APIAnswer {
        let (uuid, urn) = try contactReference(request.query, required: true)
        return try organisation.withLock { org throws(APIError) in
            let found = uuid.flatMap { org.contact(uuid: $0) } ?? urn.flatMap { org.contact(urn: $0) }
            guard let contact = found, contact.isActive else { throw APIError.notFound }
            org.deleteContact(id: contact.id)
            return APIAnswer(status: .noContent, body: nil)
        }
    }

    /// The `?uuid=` or `?urn=` (normalised) naming one contact; never both (`get_lookup_values`).
    private func contactReference(_ query: QueryParameters, required: Bool) throws(APIError) -> (String?, String?) {
        let uuid = query["uuid"]
        let urn = query["urn"]
        if required && uuid == nil && urn == nil {
            throw APIError.detail(.badRequest, "URL must contain one of the following parameters: urn, uuid")
        }
        let lookedUp = try uuid.map { (text: String) throws(APIError) in try self.checkedUUID(text) }
        let normalised = try urn.map { (text: String) throws(APIError) in try self.normalisedURN(text) }
        if uuid != nil && urn != nil {
            throw APIError.detail(.badRequest, "URL can only contain one of the following parameters: urn, uuid")
        }
        return (lookedUp, normalised)
    }

    /// `normalize_urn` of a query parameter: `{"detail": "Invalid URN: …"}` when it is not one.
    private func normalisedURN(_ text: String) throws(APIError) -> String {
        guard let urn = PlatformURN.normalise(text, flavor: flavor) else {
            throw APIError.detail(.badRequest, "Invalid URN: \(text)")
        }
        return urn
    }

    /// A `?uuid=` must parse as a UUID on TextIt (`Param 'uuid': … is not a valid UUID.`); the
    /// older flavours look it up as it is (nothing found: 404).
    private func checkedUUID(_ text: String) throws(APIError) -> String {
        guard flavor != .textit || UUID(uuidString: text) != nil else {
            throw APIError.detail(.badRequest, "Param 'uuid': \(text) is not a valid UUID.")
        }
        return text.lowercased()
    }

    // MARK: fields.json

    private func listFields(_ request: APIRequest) throws(APIError) -> APIAnswer {
        try organisation.withLock { org throws(APIError) in
            let page = try request.pagination.page(org.fields(key: request.query["key"]), key: { Int64($0.id) }) {
                org.json($0)
            }
            return APIAnswer(status: .ok, body: page)
        }
    }

    private func writeField(_ request: APIRequest) throws(APIError) -> APIAnswer {
        try organisation.withLock { org throws(APIError) in
            if let key = request.query["key"] {
                return APIAnswer(status: .ok, body: org.json(try org.updateField(key: key, request.body)))
            }
            return APIAnswer(status: .created, body: org.json(try org.createField(request.body)))
        }
    }

    // MARK: groups.json

    private func listGroups(_ request: APIRequest) throws(APIError) -> APIAnswer {
        let uuid = request.query["uuid"]
        let name = request.query["name"]
        if uuid != nil && name != nil {
            throw APIError.detail(.badRequest, "You may only specify one of the uuid, name parameters")
        }
        return try organisation.withLock { org throws(APIError) in
            let page = try request.pagination.page(org.groups(uuid: uuid, name: name), key: { Int64($0.id) }) {
                org.json($0)
            }
            return APIAnswer(status: .ok, body: page)
        }
    }

    private func writeGroup(_ request: APIRequest) throws(APIError) -> APIAnswer {
        try organisation.withLock { org throws(APIError) in
            if let uuid = request.query["uuid"] {
                return APIAnswer(status: .ok, body: org.json(try org.renameGroup(uuid: uuid, request.body)))
            }
            return APIAnswer(status: .created, body: org.json(try org.createGroup(request.body)))
        }
    }

    private func deleteGroup(_ request: APIRequest) throws(APIError) -> APIAnswer {
        guard let uuid = request.query["uuid"] else {
            throw APIError.detail(.badRequest, "URL must contain one of the following parameters: uuid")
        }
        try organisation.withLock { org throws(APIError) in try org.deleteGroup(uuid: uuid) }
        return APIAnswer(status: .noContent, body: nil)
    }
}
