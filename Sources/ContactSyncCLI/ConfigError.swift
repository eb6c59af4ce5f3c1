/// A bad or missing setting: one line naming the key, where the value came from and what is
/// expected, so start-up stops with something a person can fix.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public let key: String
    public let source: String
    public let value: String?
    public let expected: String

    public var description: String {
        if let value { return "config error: \(key) = \"\(value)\" (from \(source)): expected \(expected)" }
        return "config error: \(key) is missing (\(source)): expected \(expected)"
    }
}
