import Foundation

/// A registry password or bearer token. It describes itself as `<redacted>` so it cannot reach
/// a log line, an error message or a `print` by accident; only the request builder reads it.
public struct RegistrySecret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    let value: String

    public init(_ value: String) {
        self.value = value.trimmingASCIIWhitespace()
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "RegistrySecret(<redacted>)" }
    public var isEmpty: Bool { value.isEmpty }

    /// `text` with every occurrence of the secret replaced, for log handlers and dead letters
    /// (as `APIToken.redacted(in:)`; a value under 4 characters would redact ordinary words).
    public func redacted(in text: String) -> String {
        value.count >= 4 ? text.replacingOccurrences(of: value, with: "<redacted>") : text
    }
}

/// How requests to the registry authenticate.
public enum RegistryCredentials: Sendable, Equatable, CustomStringConvertible {
    case none
    /// HTTP basic: Confluent Cloud's API key and secret, or a user and password.
    case basic(username: String, password: RegistrySecret)
    case bearer(RegistrySecret)

    /// The `Authorization` header value, if any.
    var authorization: String? {
        switch self {
        case .none: return nil
        case .basic(let username, let password):
            let pair = Array("\(username):\(password.value)".utf8)
            return "Basic " + pair.withUnsafeBufferPointer(BytesText.base64)
        case .bearer(let token): return "Bearer \(token.value)"
        }
    }

    /// `text` with the password or token replaced wherever it appears.
    public func redacted(in text: String) -> String {
        switch self {
        case .none: text
        case .basic(_, let password): password.redacted(in: text)
        case .bearer(let token): token.redacted(in: text)
        }
    }

    public var description: String {
        switch self {
        case .none: "none"
        case .basic(let username, _): "basic (user \(username), password <redacted>)"
        case .bearer: "bearer token <redacted>"
        }
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and line breaks (a secret read from a file
    /// usually ends with a newline).
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
