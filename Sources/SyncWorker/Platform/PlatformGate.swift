import Logging
import Metrics
import PlatformClient
import SyncCore
import Synchronization

/// Every platform call goes through here: it waits for its scope's budget, is retried on its
/// own when it fails transiently (so an apply keeps the steps that worked), and feeds the
/// platform's health.
///
/// - 429: the scope pauses for `Retry-After`, however long; no attempt counted, no budget spent.
/// - 5xx, timeouts, connection failures: back-off with jitter within the event's `RetryBudget`;
///   while the platform is degraded (see `PlatformHealth`) the waits are excused.
/// - 401/403: the platform refuses the token, an outage for every event: waits, excused.
/// - Any other 4xx is an answer about the data: thrown at once.
final class PlatformGate: Sendable {
    let budgets: [PlatformScope: ScopeBudget]
    let retry: RetryPolicy
    let status: WorkerStatus
    let logger: Logger
    let isStopping: @Sendable () -> Bool
    /// The workspace this gate serves (`nil`: the single one); its health is reported under it.
    let workspace: String?
    /// Paused by configuration: calls wait (excused, as in an outage) and none is made.
    let paused: Bool
    private let health: Mutex<PlatformHealth>
    /// This workspace's own view of its health (the status holds every workspace's).
    let standing = Mutex(Standing())

    struct Standing: Sendable {
        var degraded = false
        var tokenRefused = false
        var why: String?
    }

    init(
        contacts: RequestRate, v2: RequestRate, retry: RetryPolicy, health: PlatformHealth.Policy = .init(),
        status: WorkerStatus, logger: Logger, workspace: String? = nil, paused: Bool = false,
        isStopping: @escaping @Sendable () -> Bool
    ) {
        // No share until the first assignment says which part of the budget is this instance's:
        // starting from the whole one would fill the window with calls a later, smaller share
        // must first wait out.
        budgets = [
            .contacts: ScopeBudget(scope: .contacts, rate: contacts, share: 0),
            .v2: ScopeBudget(scope: .v2, rate: v2, share: 0),
        ]
        self.retry = retry
        self.status = status
        self.logger = logger
        self.isStopping = isStopping
        self.workspace = workspace
        self.paused = paused
        self.health = Mutex(PlatformHealth(policy: health))
    }

    /// Neither degraded nor refusing the token.
    var isHealthy: Bool { !paused && standing.withLock { !$0.degraded && !$0.tokenRefused } }

    func budget(_ scope: PlatformScope) -> ScopeBudget { budgets[scope]! }

    /// This instance's part of every scope's budget.
    func setShare(_ share: Double) async {
        for budget in budgets.values { await budget.setShare(share) }
    }

    /// Whether any scope is paused by a 429 right now (fetching pauses too).
    func isThrottled() async -> Bool {
        for budget in budgets.values {
            if let until = await budget.pausedUntil, until > .now { return true }
        }
        return false
    }

    /// Runs `body` once the scope's budget allows, retrying as the type's summary says.
    /// - Parameter ticket: a budget ticket the caller took already (its first attempt uses it).
    /// - Throws: the `PlatformError` of a permanent answer, `RetriesExhausted`, `Abandoned`
    ///   (stopping), or `CancellationError`.
    func call<T: Sendable>(
        _ scope: PlatformScope, _ budget: RetryBudget, ticket: ScopeBudget.Ticket? = nil,
        _ body: @Sendable () async throws -> T
    ) async throws -> T {
        let scopeBudget = self.budget(scope)
        var given = ticket
        while paused {
            if let ticket = given { await scopeBudget.release(ticket) }
            given = nil
            guard !budget.isAbandoned else { throw Abandoned() }
            try await excusedWait(.seconds(1), budget)
        }
        while true {
            let ticket: ScopeBudget.Ticket
            if let taken = given {
                ticket = taken
                given = nil
            } else {
                ticket = try await scopeBudget.acquire()
            }
            if budget.isAbandoned {
                await scopeBudget.release(ticket)
                throw Abandoned()
            }
            do {
                let value = try await body()
                await scopeBudget.finish(ticket, counted: true)
                noteAnswer(failed: false)
                noteToken(refused: false)
                return value
            } catch let error as PlatformError {
                await scopeBudget.finish(ticket, counted: error.status != 429)
                try await handle(error, scope: scope, budget: budget)
            } catch {
                await scopeBudget.release(ticket)
                throw error
            }
        }
    }

    /// Decides what a failed call means; returns to try again, throws to stop.
    private func handle(_ error: PlatformError, scope: PlatformScope, budget: RetryBudget) async throws {
        switch error {
        case .throttled(let after, _):
            await self.budget(scope).throttled(retryAfter: after)
            status.count(.throttled(scope, workspace: workspace))
            logger.notice(
                "platform budget spent by someone else too: pausing this scope",
                metadata: [
                    "scope": "\(scope.rawValue)", "retry_after": "\(after.map { $0.secondsText } ?? "-")",
                ])
            guard !isStopping() else { throw Abandoned() }
        case .unauthorized:
            noteToken(refused: true)
            noteAnswer(failed: true, outage: "the platform refused the API token")
            try await excusedWait(.seconds(2), budget)
        case let transient where transient.isTransient:
            if TestBreak.on(.dlqOn5xx) {  // chaos control only
                throw RetriesExhausted(last: transient, attempts: 1, spent: budget.spent, limit: budget.limit)
            }
            budget.noteFailure()
            status.count(.retry(workspace: workspace))
            let degraded = noteAnswer(failed: true)
            var random = SystemRandomNumberGenerator()
            let decision = retry.decide(
                attempt: min(budget.attempts, 30), elapsed: .zero, retryAfter: nil, using: &random)
            let wait = if case .retry(let after) = decision { after } else { retry.cap }
            if degraded {
                // Not the event's fault: probe every 1-5 s, and do not spend its budget.
                try await excusedWait(min(.seconds(5), max(.seconds(1), wait)), budget)
            } else {
                guard budget.spent + wait <= budget.limit else {
                    throw RetriesExhausted(
                        last: transient, attempts: budget.attempts, spent: budget.spent, limit: budget.limit)
                }
                try await Task.sleep(for: wait)
                guard !isStopping() || wait < .seconds(1) else { throw Abandoned() }
            }
        default:
            noteAnswer(failed: false)  // the platform answered: it is up, the data is refused
            throw error
        }
    }

    private func excusedWait(_ wait: Duration, _ budget: RetryBudget) async throws {
        guard !isStopping() else { throw Abandoned() }
        try await Task.sleep(for: wait)
        budget.excuse(wait)
        guard !isStopping() else { throw Abandoned() }
    }

    /// Feeds the health; answers whether the platform now counts as degraded.
    @discardableResult
    private func noteAnswer(failed: Bool, outage: String? = nil) -> Bool {
        let (changed, degraded, rate) = health.withLock { health in
            let changed = health.record(failed: failed || outage != nil)
            return (changed, health.isDegraded, health.failureRate())
        }
        if changed {
            let why = outage ?? "\(Int(((rate ?? 1) * 100).rounded())) % of recent calls failed"
            standing.withLock {
                $0.degraded = degraded
                $0.why = degraded ? why : nil
            }
            publishHealth()
            if degraded {
                logger.error(
                    "platform degraded: pausing consumption; retries wait without spending events' budgets",
                    metadata: ["why": "\(why)"])
            } else {
                logger.info("platform healthy again: resuming")
            }
        }
        return degraded
    }
}
