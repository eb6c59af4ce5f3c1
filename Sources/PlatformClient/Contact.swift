public import Foundation

/// A contact as the platform answers it (the members contact-sync reads).
public struct Contact: Sendable, Equatable, Decodable {
    public struct GroupRef: Sendable, Equatable, Decodable {
        public let uuid: String
        public let name: String
    }

    public let uuid: String
    public let name: String?
    public let language: String?
    public let urns: [String]
    public let groups: [GroupRef]
    /// Field values by key, as text (`nil` when unset); numbers arrive as their decimal text.
    public let fields: [String: String?]
    public let status: String?

    enum CodingKeys: String, CodingKey { case uuid, name, language, urns, groups, fields, status }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        uuid = try c.decode(String.self, forKey: .uuid)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        language = try c.decodeIfPresent(String.self, forKey: .language)
        urns = try c.decodeIfPresent([String].self, forKey: .urns) ?? []
        groups = try c.decodeIfPresent([GroupRef].self, forKey: .groups) ?? []
        status = try c.decodeIfPresent(String.self, forKey: .status)
        let raw = try c.decodeIfPresent([String: LooseScalar].self, forKey: .fields) ?? [:]
        fields = raw.mapValues(\.text)
    }
}

/// A JSON scalar read as text: field values come back as strings, numbers or null.
struct LooseScalar: Decodable {
    let text: String?
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            text = nil
        } else if let s = try? c.decode(String.self) {
            text = s
        } else if let d = try? c.decode(Decimal.self) {
            text = "\(d)"
        } else if let b = try? c.decode(Bool.self) {
            text = String(b)
        } else {
            text = nil
        }
    }
}

/// The members of a contact write. Absent members stay as they are on the platform.
public struct ContactWrite: Sendable, Equatable, Encodable {
    /// Set a member to a value, or clear it (`null` in the body).
    public enum Update<Value: Sendable & Equatable & Encodable>: Sendable, Equatable {
        case set(Value)
        case clear
    }

    /// A field value as sent: text, or a number (the platform takes both).
    public enum FieldValue: Sendable, Equatable, Encodable {
        case text(String)
        case number(Decimal)

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .text(let text): try c.encode(text)
            case .number(let number): try c.encode(number)
            }
        }
    }

    public var name: Update<String>?
    public var language: Update<String>?
    /// Full URN list (replaces the contact's URNs). Not allowed with `?urn=` writes.
    public var urns: [String]?
    /// Group UUIDs (replaces the contact's groups).
    public var groups: [String]?
    /// Field values by key; a `nil` value clears the field. Empty: fields untouched.
    public var fields: [String: FieldValue?]

    public init(
        name: Update<String>? = nil, language: Update<String>? = nil, urns: [String]? = nil,
        groups: [String]? = nil, fields: [String: FieldValue?] = [:]
    ) {
        self.name = name
        self.language = language
        self.urns = urns
        self.groups = groups
        self.fields = fields
    }

    enum CodingKeys: String, CodingKey { case name, language, urns, groups, fields }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try Self.encode(name, .name, into: &c)
        try Self.encode(language, .language, into: &c)
        try c.encodeIfPresent(urns, forKey: .urns)
        try c.encodeIfPresent(groups, forKey: .groups)
        if !fields.isEmpty {
            var nested = c.nestedContainer(keyedBy: DynamicKey.self, forKey: .fields)
            for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
                if let value {
                    try nested.encode(value, forKey: DynamicKey(key))
                } else {
                    try nested.encodeNil(forKey: DynamicKey(key))
                }
            }
        }
    }

    private static func encode<V>(
        _ update: Update<V>?, _ key: CodingKeys, into c: inout KeyedEncodingContainer<CodingKeys>
    ) throws {
        switch update {
        case .set(let value): try c.encode(value, forKey: key)
        case .clear: try c.encodeNil(forKey: key)
        case nil: break
        }
    }
}

struct DynamicKey: CodingKey {
    let stringValue: String
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    var intValue: Int? { nil }
    init?(intValue: Int) { nil }
}

/// A contact field definition.
public struct Field: Sendable, Equatable, Decodable {
    public let key: String
    public let label: String
    public let type: String

    enum CodingKeys: String, CodingKey { case key, name, label, type, value_type }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decode(String.self, forKey: .key)
        label =
            try c.decodeIfPresent(String.self, forKey: .name) ?? c.decodeIfPresent(String.self, forKey: .label) ?? key
        type =
            try c.decodeIfPresent(String.self, forKey: .type) ?? c.decodeIfPresent(String.self, forKey: .value_type)
            ?? "text"
    }
}

/// A contact group.
public struct Group: Sendable, Equatable, Decodable {
    public let uuid: String
    public let name: String
    public let query: String?
}

/// The type of a contact field, in the platform's current names.
public enum FieldType: String, Sendable, CaseIterable {
    case text, number, datetime, state, district, ward

    /// The older `value_type` name (`numeric` for numbers).
    var legacyName: String { self == .number ? "numeric" : rawValue }
}

/// Which spelling `fields.json` writes use: current RapidPro (`name`/`type`) or older servers
/// and the seed tutorial (`label`/`value_type`).
public enum FieldSpelling: String, Sendable {
    case nameType = "name/type"
    case labelValueType = "label/value_type"
}

/// The result of a delete: either way the contact is gone.
public enum DeleteOutcome: Sendable, Equatable {
    case deleted
    case alreadyGone
}

struct Page<Item: Decodable>: Decodable {
    let next: String?
    let results: [Item]
}
