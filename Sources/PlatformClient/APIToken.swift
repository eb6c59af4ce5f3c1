import Foundation

/// The platform's API token. It describes itself as `<redacted>` so that it cannot reach a log
/// line, an error message or a `print` by accident; only the request builder reads `value`.
public struct APIToken: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    let value: String

    public init(_ value: String) {
        self.value = value.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "APIToken(<redacted>)" }
    public var isEmpty: Bool { value.isEmpty }

    /// `text` with every occurrence of the token replaced, for log handlers.
    public func redacted(in text: String) -> String {
        value.count >= 4 ? text.replacingOccurrences(of: value, with: "<redacted>") : text
    }
}
