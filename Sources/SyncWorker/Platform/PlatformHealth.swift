/// Whether the platform is healthy, degraded or down, from the outcomes of recent calls.
///
/// "N failures in a row" alone misses a storm that fails a third or half of all calls: each
/// success resets the count while every event's retry budget burns. So the platform also
/// counts as degraded when the share of failures among the recent calls is high, and healthy
/// again only when it is low (hysteresis, so the state does not flap around one threshold).
/// While degraded, the worker pauses fetching and retries without spending events' budgets.
struct PlatformHealth: Sendable {
    struct Policy: Sendable, Equatable {
        /// Calls judged: the most recent ones within `horizon`.
        var sample = 40
        var horizon: Duration = .seconds(30)
        /// Fewer calls than this in the sample decide nothing (one failure out of two is noise).
        var minimumSample = 10
        var degradeAt = 0.4
        var recoverBelow = 0.2
        /// Failures in a row that count as down whatever the sample says.
        var consecutive = 10
        /// Successes in a row that count as healthy again whatever the sample says (the sample
        /// still holds the storm's failures for a while after it ends).
        var recoveredAfter = 5
    }

    let policy: Policy
    private var outcomes: [(at: ContinuousClock.Instant, failed: Bool)] = []
    private(set) var consecutiveFailures = 0
    private var consecutiveSuccesses = 0
    private(set) var isDegraded = false

    init(policy: Policy = Policy()) {
        self.policy = policy
    }

    /// Records one call's outcome; answers whether the state changed.
    @discardableResult
    mutating func record(failed: Bool, at now: ContinuousClock.Instant = .now) -> Bool {
        outcomes.append((now, failed))
        if outcomes.count > policy.sample { outcomes.removeFirst(outcomes.count - policy.sample) }
        consecutiveFailures = failed ? consecutiveFailures + 1 : 0
        consecutiveSuccesses = failed ? 0 : consecutiveSuccesses + 1
        let rate = failureRate(at: now)
        let before = isDegraded
        if consecutiveFailures >= policy.consecutive {
            isDegraded = true
        } else if let rate {
            if !isDegraded && rate >= policy.degradeAt { isDegraded = true }
            if isDegraded && !failed && (rate < policy.recoverBelow || consecutiveSuccesses >= policy.recoveredAfter) {
                isDegraded = false
            }
        } else if isDegraded && !failed {
            isDegraded = false  // too few recent calls to judge, and this one worked
        }
        return before != isDegraded
    }

    /// The share of failures among recent calls, or `nil` below the minimum sample.
    func failureRate(at now: ContinuousClock.Instant = .now) -> Double? {
        let recent = outcomes.filter { now - $0.at <= policy.horizon }
        guard recent.count >= policy.minimumSample else { return nil }
        return Double(recent.filter(\.failed).count) / Double(recent.count)
    }
}
