import JSON

extension EventDecoder {
    /// The canonical envelope (events.md §1).
    func decodeCanonical(_ event: JSON, record: InboundRecord, rule: DecoderConfiguration.TopicRule) throws(Rejection)
        -> ContactChange
    {
        guard case .object = event else {
            throw Rejection(.malformedJSON, "the record value must be a JSON object (the canonical envelope)")
        }
        guard let id = event["id"]?.scalarText, !id.isEmpty else {
            throw Rejection(.missingMember, "id (JSON pointer /id) is required: the event's unique id")
        }
        guard let type = event["type"] else {
            throw Rejection(.missingMember, "type (JSON pointer /type) is required, e.g. \"customer.updated\"")
        }
        guard let typeName = type.string, let (family, verb) = Self.eventType(typeName) else {
            throw Rejection(
                .unknownType,
                "type (JSON pointer /type) = \(type.preview) is not one of \(Self.knownTypes.joined(separator: ", "))")
        }
        guard let occurred = event["occurred_at"] else {
            throw Rejection(.missingMember, "occurred_at (JSON pointer /occurred_at) is required (RFC 3339)")
        }
        guard let occurredMs = occurred.string.flatMap(Timestamp.milliseconds(fromISO8601:)) else {
            throw Rejection(
                .invalidVersion,
                "occurred_at (JSON pointer /occurred_at) = \(occurred.preview) is not an RFC 3339 time with an offset")
        }
        var version = OrderingVersion.timestamp(occurredMs)
        if let v = event["version"], !v.isNull {
            guard case .number(let digits) = v, let number = Int64(digits) else {
                throw Rejection(
                    .invalidVersion, "version (JSON pointer /version) = \(v.preview) must be a whole number")
            }
            version = .sequence(number)
        }
        guard let data = event["data"], case .object = data else {
            throw Rejection(.missingMember, "data (JSON pointer /data) is required and must be an object")
        }
        guard let entityID = data["id"]?.scalarText else {
            throw Rejection(
                .missingMember, "data.id (JSON pointer /data/id) is required: it becomes the contact's ext: URN")
        }
        return try canonicalChange(
            CanonicalHead(id: id, family: family, verb: verb, version: version, entityID: entityID),
            record: record, rule: rule, member: { data[$0.rawValue] },
            fields: { builder throws(Rejection) in
                if let v = data["fields"], !v.isNull { try builder.fields(v, at: "data.fields") }
            })
    }

    /// What the envelope says before `data`'s members: read by the tree (`decodeCanonical`) or
    /// from the bytes (`decodeCanonicalFast`), then finished alike by `canonicalChange`.
    struct CanonicalHead {
        let id: String
        let family: String
        let verb: String
        let version: OrderingVersion
        let entityID: String
    }

    /// The members of `data` a patch is built from (`fields` aside: each reader walks it its own way).
    enum CanonicalMember: String {
        case name, language, phone, whatsapp, email, groups, status
    }

    /// The part of the canonical decoding both readers share: the `ext:` URN, a delete, or the
    /// patch from `data`'s members (`member` gives each as JSON, `fields` adds `data.fields`).
    @inline(__always)
    func canonicalChange(
        _ head: CanonicalHead, record: InboundRecord, rule: DecoderConfiguration.TopicRule,
        member: (CanonicalMember) -> JSON?, fields: (inout PatchBuilder) throws(Rejection) -> Void
    ) throws(Rejection) -> ContactChange {
        let prefix = rule.extPrefix ?? extPrefix(family: head.family) ?? ""
        let urn = try extURN(prefix: prefix, id: head.entityID, place: "data.id (JSON pointer /data/id)")
        let trace = record.header("traceparent")
        if head.verb == "deleted" {
            return ContactChange(
                extURN: urn, version: head.version, eventID: head.id, traceparent: trace, action: .delete)
        }
        var builder = PatchBuilder(defaultCountryCode: configuration.defaultCountryCode)
        if let v = member(.name) { try builder.name(v, at: "data.name (JSON pointer /data/name)") }
        if let v = member(.language) { try builder.language(v, at: "data.language (JSON pointer /data/language)") }
        if let v = member(.phone) { try builder.urn("tel", v, at: "data.phone (JSON pointer /data/phone)") }
        if let v = member(.whatsapp) {
            try builder.urn("whatsapp", v, at: "data.whatsapp (JSON pointer /data/whatsapp)")
        }
        if let v = member(.email) { try builder.urn("mailto", v, at: "data.email (JSON pointer /data/email)") }
        if let v = member(.groups) { try builder.groups(v, at: "data.groups (JSON pointer /data/groups)") }
        try fields(&builder)
        if head.verb == "status_changed" {
            guard let status = member(.status) else {
                throw Rejection(
                    .missingMember,
                    "data.status (JSON pointer /data/status) is required for \(head.family).\(head.verb)")
            }
            try builder.field(configuration.leadStatusField, status, at: "data.status (JSON pointer /data/status)")
        } else if let status = member(.status), head.family == "lead" {
            try builder.field(configuration.leadStatusField, status, at: "data.status (JSON pointer /data/status)")
        }
        return ContactChange(
            extURN: urn, version: head.version, eventID: head.id, traceparent: trace,
            action: .upsert(builder.finish()))
    }

    static let knownTypes = [
        "customer.created", "customer.updated", "customer.deleted", "lead.created",
        "lead.updated", "lead.status_changed", "lead.deleted",
    ]

    /// The family and verb of a known type. A switch compares with `==`, as a dictionary's
    /// lookup would, but costs a few byte comparisons where hashing the type cost more.
    static func eventType(_ type: String) -> (family: String, verb: String)? {
        switch type {
        case "customer.created": ("customer", "created")
        case "customer.updated": ("customer", "updated")
        case "customer.deleted": ("customer", "deleted")
        case "lead.created": ("lead", "created")
        case "lead.updated": ("lead", "updated")
        case "lead.status_changed": ("lead", "status_changed")
        case "lead.deleted": ("lead", "deleted")
        default: nil
        }
    }
}
