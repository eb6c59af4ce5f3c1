/// Headers of a dead-letter record: the original headers, Kafka Connect's `__connect.errors.*`
/// (so existing tooling reads them) and contact-sync's own `contactsync.*`.
public struct DeadLetterInfo: Sendable, Equatable {
    public var sourceTopic: String
    public var sourcePartition: Int32
    public var sourceOffset: Int64
    /// `decode` (bad input) or `apply` (the platform refused or stayed unavailable).
    public var stage: String
    public var reason: String
    public var message: String
    public var attempts: Int
    public var firstFailureMs: Int64
    public var lastFailureMs: Int64
    public var platformStatus: Int?
    public var platformBody: String?
    public var instanceID: String
    public var eventID: String?
    public var replayCount: Int
    /// The workspace the event named (`contactsync.workspace`); `nil` with one workspace.
    public var workspace: String?

    public init(
        sourceTopic: String, sourcePartition: Int32, sourceOffset: Int64, stage: String, reason: String,
        message: String,
        attempts: Int, firstFailureMs: Int64, lastFailureMs: Int64, platformStatus: Int? = nil,
        platformBody: String? = nil,
        instanceID: String, eventID: String? = nil, replayCount: Int = 0, workspace: String? = nil
    ) {
        self.sourceTopic = sourceTopic
        self.sourcePartition = sourcePartition
        self.sourceOffset = sourceOffset
        self.stage = stage
        self.reason = reason
        self.message = message
        self.attempts = attempts
        self.firstFailureMs = firstFailureMs
        self.lastFailureMs = lastFailureMs
        self.platformStatus = platformStatus
        self.platformBody = platformBody
        self.instanceID = instanceID
        self.eventID = eventID
        self.replayCount = replayCount
        self.workspace = workspace
    }

    public static let maxBody = 2048
    /// Messages copy offending values (a 600 KB phone number, a field label twice): bounded so
    /// that a dead letter always fits the producer's size limit.
    public static let maxMessage = 4096

    /// `original` headers (minus earlier dead-letter headers), then the dead-letter ones. The
    /// message and the platform body are redacted (the platform may echo the request, token and
    /// all) and truncated with a marker.
    public func headers(keeping original: [InboundRecord.Header], redact: (String) -> String = Redactor.scrubShapes)
        -> [InboundRecord.Header]
    {
        var result = original.filter { !$0.name.hasPrefix("__connect.errors.") && !Self.ownNames.contains($0.name) }
        func add(_ name: String, _ value: String?) {
            if let value { result.append(.init(name: name, value: Array(value.utf8))) }
        }
        add("__connect.errors.topic", sourceTopic)
        add("__connect.errors.partition", String(sourcePartition))
        add("__connect.errors.offset", String(sourceOffset))
        add("__connect.errors.stage", stage)
        add("__connect.errors.exception.class.name", "contactsync.\(reason)")
        add(
            "__connect.errors.exception.message", Self.clip(redact(PersonalData.unmarked(message)), to: Self.maxMessage)
        )
        add("contactsync.reason", reason)
        add("contactsync.attempts", String(attempts))
        add("contactsync.first_failure_at", String(firstFailureMs))
        add("contactsync.last_failure_at", String(lastFailureMs))
        add("contactsync.platform_status", platformStatus.map(String.init))
        add("contactsync.platform_body", platformBody.map { Self.clip(redact($0), to: Self.maxBody) })
        add("contactsync.instance_id", instanceID)
        add("contactsync.event_id", eventID)
        add("contactsync.workspace", workspace)
        if replayCount > 0 { add("contactsync.replay_count", String(replayCount)) }
        return result
    }

    /// The whole dead letter for a record, redacted and shrunk to fit `limit` bytes.
    public func payload(
        key: [UInt8]?, value: [UInt8]?, original: [InboundRecord.Header], limit: Int,
        redact: (String) -> String = Redactor.scrubShapes
    ) -> DeadLetterPayload {
        let kept = headers(keeping: original, redact: redact)
        let own = headers(keeping: [], redact: redact)
        return DeadLetterPayload.fitting(
            key: key, value: value, original: Array(kept.dropLast(own.count)), deadLetter: own, limit: limit)
    }

    /// `text` cut to at most `limit` UTF-8 bytes (on a scalar boundary: a run of combining
    /// marks can be one enormous character), with a marker saying how much there was.
    public static func clip(_ text: String, to limit: Int) -> String {
        let size = text.utf8.count
        guard size > limit else { return text }
        let marker = " …[truncated: \(size) bytes in all]"
        var kept = String.UnicodeScalarView()
        var bytes = marker.utf8.count
        for scalar in text.unicodeScalars {
            bytes += UTF8.width(scalar)
            if bytes > limit { break }
            kept.append(scalar)
        }
        return String(kept) + marker
    }

    static let ownNames: Set<String> = [
        "contactsync.value_truncated", "contactsync.key_truncated", "contactsync.headers_dropped",
        "contactsync.reason", "contactsync.attempts", "contactsync.first_failure_at",
        "contactsync.last_failure_at", "contactsync.platform_status", "contactsync.platform_body",
        "contactsync.instance_id", "contactsync.event_id", "contactsync.replay_count", "contactsync.workspace",
    ]

    /// Names a replay adds; `dlq replay` strips dead-letter names and sets these anew.
    public static let replayNames: Set<String> = [
        "contactsync.replayed_from", "contactsync.replay_count", "contactsync.replayed_at",
    ]

    /// Whether a header was added by the dead-letter path (and is dropped when replaying).
    public static func isDeadLetterHeader(_ name: String) -> Bool {
        name.hasPrefix("__connect.errors.") || ownNames.contains(name) || replayNames.contains(name)
    }

    /// Reads dead-letter headers back (for `dlq inspect` and `dlq replay`); `nil` when the
    /// record has no dead-letter headers at all.
    public init?(headers: [InboundRecord.Header]) {
        var values: [String: String] = [:]
        for header in headers { values[header.name] = header.value.map { String(decoding: $0, as: UTF8.self) } }
        guard let topic = values["__connect.errors.topic"] else { return nil }
        self.init(
            sourceTopic: topic, sourcePartition: Int32(values["__connect.errors.partition"] ?? "") ?? -1,
            sourceOffset: Int64(values["__connect.errors.offset"] ?? "") ?? -1,
            stage: values["__connect.errors.stage"] ?? "",
            reason: values["contactsync.reason"] ?? "unknown",
            message: values["__connect.errors.exception.message"] ?? "",
            attempts: Int(values["contactsync.attempts"] ?? "") ?? 0,
            firstFailureMs: Int64(values["contactsync.first_failure_at"] ?? "") ?? 0,
            lastFailureMs: Int64(values["contactsync.last_failure_at"] ?? "") ?? 0,
            platformStatus: values["contactsync.platform_status"].flatMap { Int($0) },
            platformBody: values["contactsync.platform_body"],
            instanceID: values["contactsync.instance_id"] ?? "", eventID: values["contactsync.event_id"],
            replayCount: Int(values["contactsync.replay_count"] ?? "") ?? 0,
            workspace: values["contactsync.workspace"]
        )
    }
}
