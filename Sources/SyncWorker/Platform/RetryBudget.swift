import Foundation
import PlatformClient
import Synchronization

/// One event's retry budget: time, not a count of attempts (a change needing four calls would
/// otherwise have a quarter of the patience of one needing one). It runs from the first
/// failure; waits that are not the event's fault (a 429, a degraded or refusing platform) are
/// excused, so only time spent retrying a working platform's transient failures counts.
final class RetryBudget: Sendable {
    let limit: Duration
    /// The leases the change was admitted under: once one is fenced (its partition revoked),
    /// the budget counts as abandoned, wherever the change waits.
    let claim: Claim?
    private let state = Mutex(State())

    private struct State {
        var firstFailure: ContinuousClock.Instant?
        var firstFailureDate: Date?
        var excused: Duration = .zero
        var attempts = 0
        var abandoned = false
    }

    init(limit: Duration, claim: Claim? = nil) {
        self.limit = limit
        self.claim = claim
    }

    /// Counts a failed attempt.
    func noteFailure() {
        state.withLock {
            $0.attempts += 1
            if $0.firstFailure == nil {
                $0.firstFailure = .now
                $0.firstFailureDate = Date()
            }
        }
    }

    /// Time that does not count against the budget.
    func excuse(_ wait: Duration) {
        state.withLock { $0.excused += wait }
    }

    /// Time spent retrying so far.
    var spent: Duration {
        state.withLock { state in
            guard let first = state.firstFailure else { return .zero }
            return max(.zero, ContinuousClock.now - first - state.excused)
        }
    }

    var attempts: Int { state.withLock { $0.attempts } }

    /// No further call may be made for the change, whatever the budget says: its partition was
    /// fenced at a revocation (the new owner applies it), or it was given up by hand.
    func abandon() { state.withLock { $0.abandoned = true } }
    var isAbandoned: Bool { state.withLock { $0.abandoned } || claim?.isHeld == false }
    var firstFailure: Date? { state.withLock { $0.firstFailureDate } }
}

/// An event's retry budget ran out while the platform kept failing it transiently.
struct RetriesExhausted: Error, CustomStringConvertible {
    let last: PlatformError
    let attempts: Int
    let spent: Duration
    let limit: Duration

    var description: String {
        "\(last.description); retry budget of \(limit.secondsText) spent (\(attempts) failed calls in \(spent.secondsText))"
    }
}

/// The worker is stopping, or the event's partition was revoked, while a call waits for the
/// platform: the event stays pending and is read again by whoever owns its partition next.
struct Abandoned: Error {}

extension Duration {
    var secondsText: String {
        let value = seconds
        return value >= 10 ? "\(Int(value.rounded())) s" : String(format: "%.1f s", value)
    }
}

extension Duration {
    var seconds: Double {
        let (whole, atto) = components
        return Double(whole) + Double(atto) / 1e18
    }
}
