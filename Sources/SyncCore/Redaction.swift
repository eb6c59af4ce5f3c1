import Foundation

/// Removes secrets from text bound for any output (dead-letter headers, logs, `check`, errors).
///
/// Two layers, because neither suffices alone: the secrets the process knows (the API token,
/// librdkafka passwords) are replaced wherever they appear, and shapes that carry a secret
/// whatever its value (`Token …` / `Bearer …` credentials, URL userinfo, `?token=` query parts)
/// are replaced even when the secret is not one we were given (a platform echoing a header).
public struct Redactor: Sendable {
    public static let marker = "<redacted>"

    /// Known secret values, longest first (so a secret containing another is replaced whole).
    public let secrets: [String]

    public init(secrets: [String] = []) {
        // Short values would redact ordinary words; a 3-character password is not worth that.
        self.secrets = Array(
            Set(secrets.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { $0.count >= 4 })
        )
        .sorted { $0.count > $1.count }
    }

    /// A redactor for the values of every secret-looking key in `properties` (librdkafka's).
    public init(properties: [String: String], extra: [String] = []) {
        self.init(secrets: properties.filter { Self.looksSecret($0.key) }.map(\.value) + extra)
    }

    public func callAsFunction(_ text: String) -> String {
        var result = text
        for secret in secrets where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: Self.marker)
        }
        return Self.scrubShapes(result)
    }

    /// Whether a configuration key's name looks like it holds a secret. Deliberately loose:
    /// misspelled keys (`sasl.pasword`, `platform.tokn`) must be caught, and redacting a value
    /// that was not secret costs only a `<redacted>` in a printout.
    public static func looksSecret(_ name: String) -> Bool {
        let lower = name.lowercased()
        return secretNameParts.contains { lower.contains($0) }
    }

    static let secretNameParts = [
        "pass", "pasw", "pwd", "secr", "tok", "key", "cred", "oauth", "jaas", "auth", "sig", "cert",
    ]

    /// Replaces secret-carrying shapes whatever their value.
    public static func scrubShapes(_ text: String) -> String {
        // Fast path: most text (every log line) has none of the shapes' anchors.
        guard
            text.contains("://") || text.contains("=") || text.contains("oken") || text.contains("earer")
                || text.contains("asic")
        else { return text }
        var result = text
        for (pattern, template) in patterns {
            let range = NSRange(result.startIndex..., in: result)
            result = pattern.stringByReplacingMatches(in: result, range: range, withTemplate: template)
        }
        return result
    }

    /// Whole-token shapes (NSRegularExpression is immutable and thread-safe once built).
    private static let patterns: [(NSRegularExpression, String)] = [
        // `Authorization: Token abc…`, `Bearer abc…`, `Basic abc…` (an echoed request header).
        // Case-sensitive, as the schemes are written: "the token refused" is prose, not a credential.
        (
            try! NSRegularExpression(pattern: #"\b(Token|Bearer|Basic)([ \t:=]+)[A-Za-z0-9._~+/=\-]{4,}"#),
            "$1$2<redacted>"
        ),
        // `https://user:password@host` → `https://<redacted>@host`.
        (try! NSRegularExpression(pattern: #"://[^/\s@"'<>]+@"#), "://<redacted>@"),
        // `?token=…`, `&api_key=…`, `password=…` (query strings, librdkafka JAAS-like configs).
        // Not a bare `key=`: `dlq replay` prints record keys that way.
        (
            try! NSRegularExpression(
                pattern:
                    #"((?:^|[?&;\s,"'])[A-Za-z0-9_.\-]*(?:pass|pwd|secr|token|tokn|api_?key|apikey|access_?key|private_?key|cred|auth|signature)[A-Za-z0-9_.\-]*\s*=\s*)("[^"]*"|'[^']*'|[^&\s;,"']+)"#,
                options: [.caseInsensitive]),
            "$1<redacted>"
        ),
    ]
}
