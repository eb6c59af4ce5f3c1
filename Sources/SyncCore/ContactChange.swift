/// What one event (or several, merged) asks of one contact.
public struct ContactChange: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        case upsert(ContactPatch)
        case delete
        /// A delete followed by an upsert, folded together: the contact is deleted and created
        /// anew with only these members.
        case recreate(ContactPatch)
    }

    /// Identifies the entity across events: the `ext:` URN's text (e.g. `ext:lead-42`), after
    /// the workspace's name for a named workspace (`Self.entityKey(_:workspace:)`). Lanes, the
    /// version guard, the state store and the versions topic all key by it, so the same customer
    /// id in two workspaces is two entities.
    public let entityKey: String
    /// The contact's stable URN; every write is keyed by it (the bare one, whatever the workspace).
    public let extURN: URN
    /// The workspace the event named (`platform.workspace_from`); `nil` when one workspace is
    /// configured (the single-workspace settings).
    public let workspace: String?
    public var version: OrderingVersion
    /// The last event folded into this change.
    public var eventID: String
    /// Every event folded into this change, oldest first.
    public var eventIDs: [String] { earlierEventIDs + [eventID] }
    /// The events folded in before `eventID`: empty (no allocation) for a change of one event,
    /// which every decoded event is.
    var earlierEventIDs: [String] = []
    public var traceparent: String?
    public var action: Action

    public init(
        extURN: URN, workspace: String? = nil, version: OrderingVersion, eventID: String, traceparent: String? = nil,
        action: Action
    ) {
        entityKey = Self.entityKey(extURN, workspace: workspace)
        self.extURN = extURN
        self.workspace = workspace
        self.version = version
        self.eventID = eventID
        self.traceparent = traceparent
        self.action = action
    }

    public var isDelete: Bool {
        // A pattern, not `== .delete`: comparing copied the action's patch to compare it.
        if case .delete = action { true } else { false }
    }

    /// The same change, in `workspace`.
    public func inWorkspace(_ workspace: String?) -> ContactChange {
        var moved = ContactChange(
            extURN: extURN, workspace: workspace, version: version, eventID: eventID, traceparent: traceparent,
            action: action)
        moved.earlierEventIDs = earlierEventIDs
        return moved
    }

    /// Separates a workspace's name from the URN in a key (U+001F, the unit separator): it
    /// cannot be in a URN, and the bare URN stays the key of the single workspace, so versions
    /// topics and state stores written before workspaces existed stay valid.
    public static let workspaceSeparator: Character = "\u{1F}"

    /// `ext:42` without a workspace, `acme␟ext:42` in workspace `acme`.
    public static func entityKey(_ urn: URN, workspace: String?) -> String {
        guard let workspace else { return urn.description }
        return workspace + String(workspaceSeparator) + urn.description
    }

    /// The workspace of an entity key (`nil`: the single workspace's).
    public static func workspace(ofEntityKey key: String) -> String? {
        guard let separator = key.firstIndex(of: workspaceSeparator) else { return nil }
        return String(key[..<separator])
    }
}

/// Orders the events of one entity: the producer's `version`, or a time.
///
/// Only versions of the same kind compare by value: a `sequence` (event `version`, Debezium
/// `lsn`) and a `timestamp` (`occurred_at`, `ts_ms`, in milliseconds) say nothing about each
/// other, so `isOlder(than:)` answers `nil` for them. `VersionGuard.isOlder(_:than:)` is the
/// total order the guard and the merge use (a sequence ranks above a timestamp).
public struct OrderingVersion: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, Codable {
        case sequence, timestamp
    }

    public let kind: Kind
    public let value: Int64

    public init(_ kind: Kind, _ value: Int64) {
        self.kind = kind
        self.value = value
    }

    public static func sequence(_ value: Int64) -> OrderingVersion { .init(.sequence, value) }
    public static func timestamp(_ ms: Int64) -> OrderingVersion { .init(.timestamp, ms) }

    /// `true` when strictly older than `other`, `nil` when the two cannot be compared.
    public func isOlder(than other: OrderingVersion) -> Bool? {
        kind == other.kind ? value < other.value : nil
    }

    public var description: String { "\(kind.rawValue):\(value)" }
}

/// Set a member, or clear it (`null` in the event).
public enum Update<Value: Sendable & Equatable>: Sendable, Equatable {
    case set(Value)
    case clear
}

/// A typed contact field value.
public enum FieldValue: Sendable, Equatable, Hashable {
    case text(String)
    /// The decimal text as the producer wrote it.
    case number(String)
    /// ISO 8601 with an offset, as the producer wrote it.
    case datetime(String)

    public var text: String {
        switch self {
        case .text(let t), .number(let t), .datetime(let t): t
        }
    }

    /// The field type the platform needs for this value (when the field must be created).
    public var typeName: String {
        switch self {
        case .text: "text"
        case .number: "number"
        case .datetime: "datetime"
        }
    }
}

/// A partial contact: `nil` members are left as they are on the platform.
public struct ContactPatch: Sendable, Equatable {
    public var name: Update<String>?
    public var language: Update<String>?
    public var phone: Update<URN>?
    public var whatsapp: Update<URN>?
    public var email: Update<URN>?
    /// Group names; `.clear` removes the contact from every group.
    public var groups: Update<[String]>?
    /// Field values by label (or key), in key order; `.clear` empties a field.
    public var fields: FieldUpdates

    public init(
        name: Update<String>? = nil, language: Update<String>? = nil, phone: Update<URN>? = nil,
        whatsapp: Update<URN>? = nil, email: Update<URN>? = nil, groups: Update<[String]>? = nil,
        fields: FieldUpdates = [:]
    ) {
        self.name = name
        self.language = language
        self.phone = phone
        self.whatsapp = whatsapp
        self.email = email
        self.groups = groups
        self.fields = fields
    }

    /// Whether the change touches URNs other than the `ext:` one (those need a `?uuid=` write).
    public var touchesURNs: Bool { phone != nil || whatsapp != nil || email != nil }

    /// `other` applied on top of this patch: members `other` holds win.
    public func overlaid(with other: ContactPatch) -> ContactPatch {
        var merged = self
        merged.overlay(with: other)
        return merged
    }

    /// `overlaid(with:)` in place.
    public mutating func overlay(with other: ContactPatch) {
        if let v = other.name { name = v }
        if let v = other.language { language = v }
        if let v = other.phone { phone = v }
        if let v = other.whatsapp { whatsapp = v }
        if let v = other.email { email = v }
        if let v = other.groups { groups = v }
        if !other.fields.isEmpty { fields.merge(other.fields) }
    }
}
