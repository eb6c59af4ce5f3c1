import Foundation
import Kafka
import Logging
import SyncCore

/// Filters shared by `dlq inspect` and `dlq replay`.
struct DeadLetterFilter {
    var reason: String?
    var key: String?
    var sourceTopic: String?
    var sinceMs: Int64?
    var untilMs: Int64?
    /// The workspace the event named (`contactsync.workspace`).
    var workspace: String? = nil

    func matches(_ record: KafkaRecord, _ info: DeadLetterInfo?) -> Bool {
        if let reason, info?.reason != reason { return false }
        if let key, record.key.map({ String(decoding: $0, as: UTF8.self) }) != key { return false }
        if let sourceTopic, info?.sourceTopic != sourceTopic { return false }
        if let sinceMs, (record.timestampMs ?? 0) < sinceMs { return false }
        if let untilMs, (record.timestampMs ?? 0) > untilMs { return false }
        if let workspace, info?.workspace != workspace { return false }
        return true
    }

    static func time(_ text: String?, option: String) throws -> Int64? {
        guard let text else { return nil }
        guard let ms = Timestamp.milliseconds(fromISO8601: text) else {
            throw DeadLetterToolError("\(option) \(text): expected an RFC 3339 time such as 2026-11-24T10:00:00Z")
        }
        return ms
    }
}

struct DeadLetterToolError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
