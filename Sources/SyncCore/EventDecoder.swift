import JSON

/// Turns a record into a contact change, a skip or a rejection, as its topic's rule says.
/// Pure: no I/O, safe to call from any task.
public struct EventDecoder: Sendable {
    public let configuration: DecoderConfiguration
    /// `configuration.extPrefixes` of the two canonical families, looked up once rather than
    /// hashing the family's name for every event.
    private let customerPrefix: String?
    private let leadPrefix: String?

    public init(configuration: DecoderConfiguration) {
        self.configuration = configuration
        customerPrefix = configuration.extPrefixes["customer"]
        leadPrefix = configuration.extPrefixes["lead"]
    }

    /// `configuration.extPrefixes[family]`.
    func extPrefix(family: String) -> String? {
        switch family {
        case "customer": customerPrefix
        case "lead": leadPrefix
        default: configuration.extPrefixes[family]
        }
    }

    public func decode(_ record: InboundRecord) -> DecodeOutcome { decode(record, fastPath: true) }

    /// - Parameter fastPath: `false` decodes through the JSON tree only (tests compare the two).
    func decode(_ record: InboundRecord, fastPath: Bool) -> DecodeOutcome {
        guard let rule = configuration.rule(for: record.topic) else {
            return .reject(
                Rejection(
                    .unmappedTopic, "topic \(record.topic) has no rule in the mapping and unlisted topics are refused"))
        }
        // Hostile sizes are refused here, with a reason, before they can reach a versions record
        // or a dead-letter header that the producer would refuse (a stalled partition).
        if let key = record.key, key.count > Self.maxKeyBytes {
            return .reject(
                Rejection(
                    .invalidMember,
                    "the record key is \(key.count) bytes; at most \(Self.maxKeyBytes) are accepted (keys are entity ids)"
                ))
        }
        guard let bytes = record.value else {
            // Debezium follows a delete with a null-valued tombstone for compaction: nothing to do.
            if rule.format == .debezium { return .skip(.tombstone) }
            return .reject(
                Rejection(.malformedJSON, "the record value is null (a tombstone) on a \(rule.format.rawValue) topic"))
        }
        // The canonical envelope's usual events are read straight from the bytes; whatever that
        // path does not take (anything it would reject included, and every event when events name
        // their workspace) is decided below, as before.
        if rule.format == .canonical, fastPath, configuration.workspaceFrom == nil,
            let change = decodeCanonicalFast(bytes, record: record, rule: rule)
        {
            return .change(change)
        }
        let document: JSON
        do { document = try JSON.parse(bytes) } catch {
            return .reject(Rejection(.malformedJSON, "the record value is not JSON: \(error)"))
        }
        do {
            var change: ContactChange =
                switch rule.format {
                case .canonical: try decodeCanonical(document, record: record, rule: rule)
                case .debezium: try decodeDebezium(document, record: record, rule: rule)
                case .mapped: try decodeMapped(document, record: record, rule: rule)
                }
            guard change.eventID.utf8.count <= Self.maxEventIDBytes else {
                return .reject(
                    Rejection(
                        .invalidMember,
                        "the event id is \(change.eventID.utf8.count) bytes; at most \(Self.maxEventIDBytes) are accepted (it is stored in the versions topic and dead-letter headers)"
                    ))
            }
            if let selector = configuration.workspaceFrom {
                // Debezium's pointer is into the row, as the mapping's are.
                let scope = rule.format == .debezium ? Self.debeziumRow(document) : document
                guard let workspace = selector.workspace(of: record, in: scope) else {
                    return .reject(
                        Rejection(
                            .unknownWorkspace,
                            "the event names no workspace (\(selector) is absent or empty; platform.workspace_from)"))
                }
                change = change.inWorkspace(workspace)
            }
            return .change(change)
        } catch {
            var rejection = error
            if let selector = configuration.workspaceFrom {
                let scope = rule.format == .debezium ? Self.debeziumRow(document) : document
                rejection.workspace = selector.workspace(of: record, in: scope)
            }
            return .reject(rejection)
        }
    }

    /// Record keys above this are refused (`invalid_member`): a key is an entity id.
    public static let maxKeyBytes = 4096
    /// Event ids above this are refused (`invalid_member`): ids are UUIDs, ULIDs or the like.
    public static let maxEventIDBytes = 512

    func extURN(prefix: String, id: String, place: String) throws(Rejection) -> URN {
        let trimmed = id.trimmingSpaces()
        guard !trimmed.isEmpty else {
            throw Rejection(.missingMember, "\(place) is empty; it becomes the contact's ext: URN")
        }
        // Customers' prefix is empty: no concatenation to build.
        do { return try URN(scheme: "ext", path: prefix.isEmpty ? trimmed : prefix + trimmed) } catch {
            throw Rejection(.invalidURN, "\(place): \(error)")
        }
    }

    /// Fills a patch from a document through a mapping (Debezium rows and mapped events).
    func patch(from document: JSON, mapping: Mapping, base: String) throws(Rejection) -> ContactPatch {
        var builder = PatchBuilder(defaultCountryCode: configuration.defaultCountryCode)
        func place(_ member: String, _ source: Mapping.Source) -> String { "\(base)\(member) (\(source.place))" }
        if let s = mapping.name, let v = s.resolve(in: document) { try builder.name(v, at: place("name", s)) }
        if let s = mapping.language, let v = s.resolve(in: document) {
            try builder.language(v, at: place("language", s))
        }
        if let s = mapping.phone, let v = s.resolve(in: document) { try builder.urn("tel", v, at: place("phone", s)) }
        if let s = mapping.whatsapp, let v = s.resolve(in: document) {
            try builder.urn("whatsapp", v, at: place("whatsapp", s))
        }
        if let s = mapping.email, let v = s.resolve(in: document) {
            try builder.urn("mailto", v, at: place("email", s))
        }
        if let s = mapping.groups, let v = s.resolve(in: document) { try builder.groups(v, at: place("groups", s)) }
        for (label, source) in mapping.fields {
            if let v = source.resolve(in: document) {
                try builder.field(label, v, at: place("fields.\(label)", source))
            }
        }
        return builder.finish()
    }
}
