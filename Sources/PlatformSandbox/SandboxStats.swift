/// How many API calls the sandbox answered, per endpoint, method and status.
///
/// Tests assert through it ("the second call was served from cache", "the 5xx was retried"),
/// and the demo prints it as its summary.
public struct SandboxStats: Sendable, Equatable, Codable {
    /// One endpoint + method + status combination and how often it was answered.
    public struct Calls: Sendable, Hashable, Codable {
        /// `contacts.json`, `fields.json`, `groups.json`, or `other` for unknown paths.
        public var endpoint: String
        public var method: String
        public var status: Int
        public var count: Int
    }

    /// Every API request answered, whatever its status.
    public var total: Int
    /// Sorted by endpoint, method, status.
    public var calls: [Calls]
    /// API calls answered per throttle scope (`v2.contacts`, `v2`), whatever their status.
    public var scopeCalls: [String: Int]
    /// `429` answers per throttle scope (the platform's budget and `SandboxChaos.ratePerSecond`).
    public var scopeThrottled: [String: Int]

    public init(
        total: Int = 0, calls: [Calls] = [], scopeCalls: [String: Int] = [:], scopeThrottled: [String: Int] = [:]
    ) {
        self.total = total
        self.calls = calls
        self.scopeCalls = scopeCalls
        self.scopeThrottled = scopeThrottled
    }

    /// Calls answered in `scope` ("contacts-scope calls" for `.contacts`).
    public func calls(scope: ThrottleScope) -> Int { scopeCalls[scope.rawValue] ?? 0 }

    /// `429` answers in `scope`.
    public func throttled(scope: ThrottleScope) -> Int { scopeThrottled[scope.rawValue] ?? 0 }

    /// Every `429` answered.
    public var throttledTotal: Int { scopeThrottled.values.reduce(0, +) }

    /// Calls matching every filter given (`nil` matches any).
    public func count(endpoint: String? = nil, method: String? = nil, status: Int? = nil) -> Int {
        calls.filter {
            (endpoint == nil || $0.endpoint == endpoint) && (method == nil || $0.method == method)
                && (status == nil || $0.status == status)
        }.reduce(0) { $0 + $1.count }
    }

    /// Calls whose status is in `statuses` (e.g. `500...599`).
    public func count(endpoint: String? = nil, method: String? = nil, statuses: ClosedRange<Int>) -> Int {
        calls.filter {
            (endpoint == nil || $0.endpoint == endpoint) && (method == nil || $0.method == method)
                && statuses.contains($0.status)
        }.reduce(0) { $0 + $1.count }
    }
}

/// The mutable tally behind `SandboxStats`.
struct StatsCounter: Sendable {
    private struct Key: Hashable {
        let endpoint: String
        let method: String
        let status: Int
    }

    private var counts: [Key: Int] = [:]
    private var total = 0
    private var scopeCalls: [String: Int] = [:]
    private var scopeThrottled: [String: Int] = [:]

    /// - Parameter scope: the throttle scope of a known endpoint (`nil` for unknown paths).
    mutating func record(endpoint: String, method: String, status: Int, scope: ThrottleScope? = nil) {
        counts[Key(endpoint: endpoint, method: method, status: status), default: 0] += 1
        total += 1
        if let scope {
            scopeCalls[scope.rawValue, default: 0] += 1
            if status == 429 { scopeThrottled[scope.rawValue, default: 0] += 1 }
        }
    }

    var snapshot: SandboxStats {
        let calls = counts.map {
            SandboxStats.Calls(endpoint: $0.endpoint, method: $0.method, status: $0.status, count: $1)
        }
        .sorted { ($0.endpoint, $0.method, $0.status) < ($1.endpoint, $1.method, $1.status) }
        return SandboxStats(total: total, calls: calls, scopeCalls: scopeCalls, scopeThrottled: scopeThrottled)
    }
}
