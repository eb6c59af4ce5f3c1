import JSON

/// What was last applied to an entity: a redelivered or replayed older event must neither roll
/// the contact back nor bring a deleted one back.
public struct AppliedVersion: Sendable, Equatable {
    public var version: OrderingVersion
    public var eventID: String
    public var deleted: Bool
    /// The platform's UUID of the contact, so most writes are one `?uuid=` call.
    public var contactUUID: String?
    /// The contact's URNs as the platform answered the last write: a partition's next owner
    /// (or a restart) then writes by UUID with the URN list it must keep (agents' URNs
    /// included), in one call instead of an upsert by URN and a second call for the list.
    public var urns: [String]?
    /// The image the last write sent (`ImageDigest`): a newer change with the same image is
    /// recorded without a call. `nil` when the last write was a delete, left something out
    /// (a URN conflict, group changes on an inactive contact), or predates digests.
    public var digest: ImageDigest?

    public init(
        version: OrderingVersion, eventID: String, deleted: Bool, contactUUID: String?, urns: [String]? = nil,
        digest: ImageDigest? = nil
    ) {
        self.version = version
        self.eventID = eventID
        self.deleted = deleted
        self.contactUUID = contactUUID
        self.urns = urns
        self.digest = digest
    }

    /// Compact JSON for the compacted versions topic (the record key is the entity key).
    public func encoded() -> [UInt8] {
        var members: [(String, JSON)] = [
            ("k", .string(version.kind.rawValue)), ("v", .number(String(version.value))), ("id", .string(eventID)),
            ("d", .bool(deleted)),
        ]
        if let contactUUID { members.append(("u", .string(contactUUID))) }
        if let urns { members.append(("n", .array(urns.map { .string($0) }))) }
        if let digest { members.append(("h", .string(digest.hex))) }
        return JSON.object(members).serializedBytes()
    }

    /// Reads a versions-topic value; `nil` for anything unreadable (it is then ignored).
    public init?(decoding bytes: [UInt8]) {
        guard let json = try? JSON.parse(bytes), let kindText = json["k"]?.string,
            let kind = OrderingVersion.Kind(rawValue: kindText),
            case .number(let digits)? = json["v"], let value = Int64(digits), let id = json["id"]?.string,
            case .bool(let deleted)? = json["d"]
        else { return nil }
        var urns: [String]?
        if case .array(let items)? = json["n"] { urns = items.compactMap(\.string) }
        self.init(
            version: OrderingVersion(kind, value), eventID: id, deleted: deleted, contactUUID: json["u"]?.string,
            urns: urns, digest: json["h"]?.string.flatMap(ImageDigest.init(hex:)))
    }
}

/// Decides whether a change still needs applying, given what was applied last.
public enum VersionGuard {
    public enum Decision: Sendable, Equatable {
        case apply
        /// The same event was applied already (an exact redelivery).
        case duplicate
        /// An older event than the one applied (a late, redelivered or replayed one).
        case stale
    }

    /// Same event id → duplicate; an older version (`isOlder(_:than:)`) → stale; otherwise
    /// apply. An equal version with a different id applies (two events in one millisecond).
    public static func decide(version: OrderingVersion, eventID: String, last: AppliedVersion?) -> Decision {
        guard let last else { return .apply }
        if last.eventID == eventID { return .duplicate }
        if isOlder(version, than: last.version) { return .stale }
        return .apply
    }

    /// The guard's total order. Versions of one kind compare by value. Across kinds, every
    /// `sequence` (a producer's explicit `version`, a Debezium `lsn`) ranks above every
    /// `timestamp` (`occurred_at`, `ts_ms`): an explicit order is authoritative, so once an entity
    /// has one, a timestamp-only event (a replay from before the producer sent versions) can no
    /// longer roll it back, while a producer that starts sending versions moves forward.
    public static func isOlder(_ version: OrderingVersion, than other: OrderingVersion) -> Bool {
        if let sameKind = version.isOlder(than: other) { return sameKind }
        return version.kind == .timestamp
    }

    /// The newer of two versions in the guard's order (`a` when they are equal).
    public static func newer(_ a: OrderingVersion, _ b: OrderingVersion) -> OrderingVersion {
        isOlder(a, than: b) ? b : a
    }
}
