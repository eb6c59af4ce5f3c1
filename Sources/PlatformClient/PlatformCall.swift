/// One request to the platform, reported to an observer as it ends (for metrics and logs).
public struct PlatformCall: Sendable {
    /// `contacts.json`, `fields.json` or `groups.json`.
    public let endpoint: String
    public let method: String
    /// The HTTP status, or `nil` when no answer came (timeout, unreachable).
    public let status: Int?
    /// `ok`, or the failure's `PlatformError.kind`.
    public let outcome: String
    public let duration: Duration
}

/// Called once per request, from the task that made it. Keep it cheap.
public typealias PlatformObserver = @Sendable (PlatformCall) -> Void
