import JSON

/// How records of each topic become contact changes: all configuration, no code.
public struct DecoderConfiguration: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        case canonical, debezium, mapped
    }

    public struct TopicRule: Sendable {
        public var format: Format
        /// Prefix of the `ext:` URN path for this topic (overrides the per-family prefix).
        public var extPrefix: String?
        /// Where members come from (`mapped`: required; `debezium`: optional, over the row).
        public var mapping: Mapping?

        public init(format: Format, extPrefix: String? = nil, mapping: Mapping? = nil) {
            self.format = format
            self.extPrefix = extPrefix
            self.mapping = mapping
        }
    }

    public var topics: [String: TopicRule]
    /// The format of topics not listed; `nil` rejects their records as `unmapped_topic`.
    public var unlistedFormat: Format?
    /// `ext:` prefix per event family of the canonical envelope (`customer`, `lead`).
    public var extPrefixes: [String: String]
    /// Digits put before `tel:` numbers written without an international prefix.
    public var defaultCountryCode: String?
    /// The contact field that receives `lead.status_changed`'s status.
    public var leadStatusField: String
    /// How an event names its workspace (`platform.workspace_from`); `nil`: one workspace, and
    /// changes carry none.
    public var workspaceFrom: WorkspaceSelector?

    public init(
        topics: [String: TopicRule] = [:], unlistedFormat: Format? = .canonical,
        extPrefixes: [String: String] = ["customer": "", "lead": "lead-"],
        defaultCountryCode: String? = nil, leadStatusField: String = "lead_status"
    ) {
        self.topics = topics
        self.unlistedFormat = unlistedFormat
        self.extPrefixes = extPrefixes
        self.defaultCountryCode = defaultCountryCode
        self.leadStatusField = leadStatusField
    }

    func rule(for topic: String) -> TopicRule? {
        // Most deployments list no topic: no hashing of the name for every record then.
        (topics.isEmpty ? nil : topics[topic]) ?? unlistedFormat.map { TopicRule(format: $0) }
    }
}

/// Where each contact member comes from in a JSON document (or a Debezium row).
public struct Mapping: Sendable {
    /// A JSON pointer (`/lead/phone`) or a template (`"{first_name} {last_name}"`, `"tel:{/phone}"`).
    public enum Source: Sendable, Equatable {
        case pointer(String)
        case template([TemplatePart])
    }

    public enum TemplatePart: Sendable, Equatable {
        case literal(String)
        case pointer(String)
    }

    /// How the action is chosen: the value at `pointer` decides.
    public struct ActionRule: Sendable {
        public var pointer: String
        public var upsert: Set<String>
        public var delete: Set<String>
        public init(pointer: String, upsert: Set<String>, delete: Set<String>) {
            self.pointer = pointer
            self.upsert = upsert
            self.delete = delete
        }
    }

    public var id: Source
    public var action: ActionRule?
    public var eventID: Source?
    public var version: Source?
    public var versionKind: OrderingVersion.Kind
    public var name: Source?
    public var language: Source?
    public var phone: Source?
    public var whatsapp: Source?
    public var email: Source?
    public var groups: Source?
    /// Field label → where its value is.
    public var fields: [(label: String, source: Source)]

    public init(
        id: Source, action: ActionRule? = nil, eventID: Source? = nil, version: Source? = nil,
        versionKind: OrderingVersion.Kind = .sequence, name: Source? = nil, language: Source? = nil,
        phone: Source? = nil, whatsapp: Source? = nil, email: Source? = nil, groups: Source? = nil,
        fields: [(label: String, source: Source)] = []
    ) {
        self.id = id
        self.action = action
        self.eventID = eventID
        self.version = version
        self.versionKind = versionKind
        self.name = name
        self.language = language
        self.phone = phone
        self.whatsapp = whatsapp
        self.email = email
        self.groups = groups
        self.fields = fields
    }

    /// Debezium rows whose columns are named like the contact's members.
    public static let debeziumDefault = Mapping(
        id: .pointer("/id"), name: .pointer("/name"), language: .pointer("/language"), phone: .pointer("/phone"),
        whatsapp: .pointer("/whatsapp"), email: .pointer("/email")
    )

    /// Parses `"/a/b"` as a pointer and anything with `{…}` as a template; `nil` otherwise.
    public static func source(_ text: String) -> Source? {
        if text.hasPrefix("/") { return .pointer(text) }
        guard text.contains("{") else { return nil }
        var parts: [TemplatePart] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            if open > rest.startIndex { parts.append(.literal(String(rest[..<open]))) }
            guard let close = rest[open...].firstIndex(of: "}") else { return nil }
            let name = rest[rest.index(after: open)..<close]
            guard !name.isEmpty else { return nil }
            parts.append(.pointer(name.hasPrefix("/") ? String(name) : "/" + name))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { parts.append(.literal(String(rest))) }
        return .template(parts)
    }
}

extension Mapping.Source {
    /// The value in `document`: absent (`nil`) when a pointer finds nothing. A template is
    /// absent when any of its members is absent, null when all are null.
    func resolve(in document: JSON) -> JSON? {
        switch self {
        case .pointer(let pointer): return document.at(pointer: pointer)
        case .template(let parts):
            var text = ""
            var sawValue = false
            for part in parts {
                switch part {
                case .literal(let literal): text += literal
                case .pointer(let pointer):
                    guard let value = document.at(pointer: pointer) else { return nil }
                    if let scalar = value.scalarText {
                        text += scalar
                        sawValue = true
                    }
                }
            }
            return sawValue ? .string(text.trimmingSpaces()) : .null
        }
    }

    var place: String {
        switch self {
        case .pointer(let p): "JSON pointer \(p)"
        case .template(let parts):
            "template \""
                + parts.map {
                    if case .literal(let l) = $0 { l } else if case .pointer(let p) = $0 { "{\(p)}" } else { "" }
                }.joined() + "\""
        }
    }
}
