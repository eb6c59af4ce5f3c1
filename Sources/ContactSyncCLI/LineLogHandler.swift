import Foundation
import JSON
public import Logging
import SyncCore

/// swift-log handler writing one line per event to stderr: JSON objects (for log shippers) or
/// readable text (on a terminal). Phone numbers and emails are masked unless `pii` is on, and
/// the configured secrets are replaced wherever they appear.
public struct LineLogHandler: LogHandler {
    public enum Format: Sendable { case json, text }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String
    let format: Format
    let pii: Bool
    let secrets: [String]
    let redact: @Sendable (String) -> String
    let write: @Sendable (String) -> Void

    public init(
        label: String, format: Format, level: Logger.Level, pii: Bool, secrets: [String] = [],
        redact: @escaping @Sendable (String) -> String = { $0 }, write: (@Sendable (String) -> Void)? = nil
    ) {
        self.redact = redact
        self.label = label
        self.format = format
        logLevel = level
        self.pii = pii
        self.secrets = secrets.filter { $0.count >= 4 }
        self.write = write ?? { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }

    /// `auto` is JSON unless stderr is a terminal.
    public static func format(named name: String) -> Format {
        switch name {
        case "json": .json
        case "text": .text
        default: isatty(2) == 1 ? .text : .json
        }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { $1 } }
        if let trace = all["traceparent"]?.description ?? all["trace_id"]?.description,
            trace.split(separator: "-").count == 4
        {
            all["trace_id"] = .string(String(trace.split(separator: "-")[1]))
        }
        let message = clean(event.message.description)
        let fields = all.sorted { $0.key < $1.key }.map { ($0.key, clean($0.value.description)) }
        switch format {
        case .json:
            var object: [String: String] = [
                "ts": ISO8601DateFormatter().string(from: Date()), "level": event.level.rawValue, "message": message,
                "logger": label,
            ]
            for (key, value) in fields { object[key] = value }
            write(JSON.object(object.map { ($0.key, .string($0.value)) }).serialized(.sortedKeys))
        case .text:
            let rest = fields.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
            write("\(event.level.rawValue.uppercased()) \(message)\(rest.isEmpty ? "" : " " + rest)")
        }
    }

    /// Secrets out (known ones and secret-shaped text), personal data masked (values the
    /// decoder bracketed as personal whatever they look like, then anything phone- or
    /// email-shaped), control characters escaped in text lines (JSON escapes them itself).
    func clean(_ text: String) -> String {
        var text = Redactor.scrubShapes(redact(text))
        for secret in secrets where text.contains(secret) {
            text = text.replacingOccurrences(of: secret, with: "<redacted>")
        }
        text = pii ? PersonalData.unmarked(text) : PIIMasker.mask(PersonalData.masked(text, PersonalData.mask))
        return format == .text ? LogText.escaped(text) : text
    }
}
