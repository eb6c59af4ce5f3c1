import SyncCore

/// A bad or missing setting: one line naming the key, where the value came from and what is
/// expected, so start-up stops with something a person can fix.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public let key: String
    public let source: String
    public let value: String?
    public let expected: String
    /// The key itself is unknown (the description says so rather than "missing").
    public var isUnknown = false
    /// The value is shown even though the key's name looks secret (`platform.token_file`: the
    /// path is not the token, and an error that hides it cannot be acted on).
    public var valueIsPublic = false

    public init(key: String, source: String, value: String?, expected: String, isUnknown: Bool = false) {
        self.key = key
        self.source = source
        self.value = value
        self.expected = expected
        self.isUnknown = isUnknown
    }

    /// The value is shown to help fixing it, except for a secret-looking key (known or not,
    /// misspelled or not) and the secret parts of URLs: the message reaches terminals and logs.
    public var description: String {
        if let value {
            let shown =
                Redactor.looksSecret(key) && !valueIsPublic
                ? Redactor.marker : LogText.escaped(Redactor.scrubShapes(value))
            return "config error: \(key) = \"\(shown)\" (from \(source)): expected \(expected)"
        }
        if isUnknown { return "config error: \(key) is not a setting (from \(source)): expected \(expected)" }
        return "config error: \(key) is missing (\(source)): expected \(expected)"
    }

    /// A key no setting has: refused (a typo would otherwise be ignored silently), its value
    /// never shown, the nearest known key suggested.
    static func unknownKey(_ key: String, source: String) -> ConfigError {
        let nearest = SettingKey.all.map(\.name).min { distance($0, key) < distance($1, key) }
        let hint = nearest.map { distance($0, key) <= 3 ? " (did you mean \($0)?)" : "" } ?? ""
        return ConfigError(
            key: LogText.escaped(key), source: source, value: nil,
            expected: "a key from docs/configuration.md; this one is unknown\(hint)", isUnknown: true)
    }

    /// Edit distance, for "did you mean".
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8.prefix(64))
        let b = Array(b.utf8.prefix(64))
        var row = Array(0...b.count)
        for i in 1...max(1, a.count) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(1, b.count) where !b.isEmpty {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }
}
