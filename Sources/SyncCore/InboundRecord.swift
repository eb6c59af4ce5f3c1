/// One Kafka record as the decoder sees it (the Kafka layer's record, minus librdkafka).
public struct InboundRecord: Sendable {
    public struct Header: Sendable, Equatable {
        public let name: String
        public let value: [UInt8]?
        public init(name: String, value: [UInt8]?) {
            self.name = name
            self.value = value
        }
    }

    public let topic: String
    public let partition: Int32
    public let offset: Int64
    public let key: [UInt8]?
    /// `nil` for a tombstone.
    public let value: [UInt8]?
    public let headers: [Header]
    public let timestampMs: Int64?

    public init(
        topic: String, partition: Int32 = 0, offset: Int64 = 0, key: [UInt8]?, value: [UInt8]?,
        headers: [Header] = [], timestampMs: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMs = timestampMs
    }

    public func header(_ name: String) -> String? {
        headers.last { $0.name.lowercasedEquals(name) }?.value.map { String(decoding: $0, as: UTF8.self) }
    }
}

/// What became of a record.
public enum DecodeOutcome: Sendable, Equatable {
    case change(ContactChange)
    /// Nothing to do, and nothing wrong (a Debezium tombstone).
    case skip(SkipReason)
    /// Bad input: dead-letter it with this reason, make no call.
    case reject(Rejection)
}

public enum SkipReason: String, Sendable, Equatable {
    case tombstone
}

/// Why a record cannot become a contact change. `reason` is stable (dashboards, dead-letter
/// headers, `dlq replay --reason`); `message` names the member and where it was looked for.
public struct Rejection: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable, CaseIterable {
        case malformedJSON = "malformed_json"
        case missingMember = "missing_member"
        case unknownType = "unknown_type"
        case invalidURN = "invalid_urn"
        case invalidLanguage = "invalid_language"
        case invalidName = "invalid_name"
        case invalidGroup = "invalid_group"
        case invalidFieldValue = "invalid_field_value"
        case invalidFieldLabel = "invalid_field_label"
        case invalidVersion = "invalid_version"
        case invalidMember = "invalid_member"
        case tooMany = "too_many"
        case unmappedTopic = "unmapped_topic"
        /// The event names no workspace, or one not configured (`platform.workspace_from`).
        case unknownWorkspace = "unknown_workspace"
    }

    public let reason: Reason
    /// The message with personal values bracketed (`PersonalData`): what log lines get, so
    /// the log handler can mask them.
    public let markedMessage: String
    /// The workspace the record names, when it names one (dead-letter headers carry it, so
    /// `dlq inspect --workspace` finds a tenant's bad records too).
    public var workspace: String?
    /// The message as people read it (dead-letter headers, `dlq inspect`, tests).
    public var message: String { PersonalData.unmarked(markedMessage) }

    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.markedMessage = message
    }

    public var description: String { "\(reason.rawValue): \(message)" }
}
