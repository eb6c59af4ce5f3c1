import PlatformClient

/// This instance's part of one throttle scope of the workspace (`v2.contacts` or `v2`): paces
/// calls below DRF's sliding window instead of bursting into it.
///
/// - **Pacing.** Calls are spaced `window / allowance` apart, first come first served, so the
///   oldest waiting entity is written first. Waiters queue; only the first sleeps towards the
///   next slot, the others are parked until their turn, so thousands of lanes waiting for the
///   budget cost no timers and reserve no slots, and one whose work was abandoned meanwhile (its
///   partition revoked: `acquire(unless:)`, `sweepAbandoned`) leaves without spending one. `allowance` is the workspace's rate times this
///   instance's `share` (its part of the assigned partitions) times `settle` (lowered while
///   something else spends the budget too), with 2 % kept back for clock and latency jitter.
/// - **Window.** The end times of this instance's counted calls of the last window are kept;
///   a call waits while the window holds `allowance` of them (calls in flight count too), so
///   the platform's window, which counts arrivals, never sees more.
/// - **Joining.** When the allowance grows (start, a rebalance that brought partitions), the
///   window is filled as if this instance had already been sending at the new rate: the
///   instances' sum stays under the budget while the one that lost partitions still has
///   calls in the platform's window.
/// - **Changes.** A new share or rate re-paces at once: waiters sleep in short steps and take
///   a fresh slot when the pacing changed (`epoch`), so a slot taken at a tiny share (an eager
///   rebalance revokes everything for a moment: allowance 1, one call an hour at 3,600/h) does
///   not hold the next call back once the share is back.
/// - **429.** Someone else spent the budget: the whole scope waits `Retry-After` (however
///   long), and `settle` drops below the level that was too much, then creeps back up slowly.
actor ScopeBudget {
    struct Ticket: Sendable {
        fileprivate let id: Int
    }

    let scope: PlatformScope
    private(set) var rate: RequestRate
    private(set) var share: Double
    private var settle = 1.0
    /// `settle` rises quickly to just below the level that drew a 429, slowly past it.
    private var ceiling = 1.0
    private var lastSettleChange = ContinuousClock.now
    private var window: [ContinuousClock.Instant] = []  // end times of counted calls, oldest first
    private var windowHead = 0
    /// The window's start-up entries (calls assumed, not made), to tell this instance's own real
    /// calls apart when a 429 says how much of the budget others use.
    private var assumed: [ContinuousClock.Instant] = []
    private var inFlight = 0
    private var nextTicket = 0
    private var waiters: [Int: Waiter] = [:]
    /// Waiter ids in arrival order; `order[..<orderHead]` have left.
    private var order: [Int] = []
    private var orderHead = 0
    private var nextWaiter = 0
    private var nextSlot = ContinuousClock.now
    /// Counts changes of pacing (share, rate): a waiter holding a slot of an older epoch takes a
    /// fresh one.
    private var epoch = 0
    private(set) var pausedUntil: ContinuousClock.Instant?
    private(set) var throttledCalls = 0
    private(set) var waited: Duration = .zero

    /// - Parameter share: the instance's part of the workspace's budget; the worker sets it
    ///   from its assignment at every rebalance (`setShare`).
    init(scope: PlatformScope, rate: RequestRate, share: Double = 1) {
        self.scope = scope
        self.rate = rate
        self.share = min(1, max(0, share))
        if self.share > 0 {
            window = Self.virtualWindow(
                rate: rate, allowance: Self.allowance(rate: rate, share: self.share, settle: 1), now: .now)
            assumed = window
        }
    }

    var isUnlimited: Bool { rate.isUnlimited }

    /// Calls this instance may have in one window now.
    var allowance: Int { Self.allowance(rate: rate, share: share, settle: settle) }

    private static func allowance(rate: RequestRate, share: Double, settle: Double) -> Int {
        guard !rate.isUnlimited else { return .max }
        return max(1, Int((Double(rate.requests) * share * settle * 0.98).rounded(.down)))
    }

    /// Calls counted in the current window (for the budget-use gauge).
    var used: Int {
        prune(.now)
        return window.count - windowHead + inFlight
    }

    private var interval: Duration { rate.window / max(1, allowance) }

    /// How far apart the pacing spaces calls now; zero when the scope is unlimited.
    var spacing: Duration { rate.isUnlimited ? .zero : interval }

    /// How long a call asked for now would wait at the least (pacing, a full window, a 429's
    /// pause), from the budget's state rather than a clock's reading of a wait: what the tests of
    /// share changes hold against their bounds.
    var nextGrant: Duration {
        guard !rate.isUnlimited else { return .zero }
        let now = ContinuousClock.now
        let earliest = [nextSlot, fullUntil(now) ?? now, pausedUntil ?? now].max()!
        return max(.zero, earliest - now)
    }

    /// Waits until a call may be sent, and counts it as in flight.
    func acquire() async throws -> Ticket {
        // Never nil: nothing can abandon a wait that names no condition.
        try await acquire(unless: nil)!
    }

    /// Waits, in arrival order, until a call may be sent, and counts it as in flight; `nil`
    /// (no slot spent) as soon as `abandoned` holds: it is checked when the wait starts, when
    /// its turn comes, while it sleeps towards its slot, and at every `sweepAbandoned`.
    func acquire(unless abandoned: (@Sendable () -> Bool)?) async throws -> Ticket? {
        guard !rate.isUnlimited else { return issue() }
        let started = ContinuousClock.now
        let id = nextWaiter
        nextWaiter += 1
        waiters[id] = Waiter(abandoned: abandoned)
        order.append(id)
        defer { leave(id) }
        while currentHead() != id {
            if abandoned?() == true { return nil }
            await withTaskCancellationHandler {
                await withCheckedContinuation { waiters[id]?.parked = $0 }
            } onCancel: {
                Task { await self.wake(id) }
            }
            try Task.checkCancellation()
        }
        while true {
            if abandoned?() == true { return nil }
            let now = ContinuousClock.now
            let epoch = self.epoch
            // After a pause too the next call waits for its slot: waiters must not burst together.
            let earliest = [pausedUntil ?? now, nextSlot, fullUntil(now) ?? now].max()!
            if earliest > now {
                _ = try await sleep(until: earliest, epoch: epoch, unless: abandoned)
                continue
            }
            nextSlot = now + interval
            waited += now - started
            return issue()
        }
    }

    /// Wakes parked waiters whose work was abandoned (a revocation fenced their partitions):
    /// they leave the queue without spending a slot.
    func sweepAbandoned() {
        for (id, waiter) in waiters where waiter.parked != nil && waiter.abandoned?() == true { wake(id) }
    }

    /// Waiters in the queue now (the first one included).
    var waiting: Int { waiters.count }

    private struct Waiter {
        let abandoned: (@Sendable () -> Bool)?
        var parked: CheckedContinuation<Void, Never>?
    }

    /// The first live waiter: the only one that takes slots.
    private func currentHead() -> Int? {
        while orderHead < order.count, waiters[order[orderHead]] == nil { orderHead += 1 }
        if orderHead > 1024 && orderHead * 2 > order.count {
            order.removeFirst(orderHead)
            orderHead = 0
        }
        return orderHead < order.count ? order[orderHead] : nil
    }

    private func wake(_ id: Int) {
        guard let parked = waiters[id]?.parked else { return }
        waiters[id]?.parked = nil
        parked.resume()
    }

    /// `id` got its ticket or gave up: the next waiter's turn.
    private func leave(_ id: Int) {
        waiters[id] = nil
        if let next = currentHead() { wake(next) }
    }

    /// Sleeps until `deadline` in steps of at most a quarter second; answers `false` as soon as
    /// the pacing changed (then the caller takes a fresh slot) or the wait was abandoned.
    private func sleep(
        until deadline: ContinuousClock.Instant, epoch: Int, unless abandoned: (@Sendable () -> Bool)? = nil
    ) async throws -> Bool {
        while ContinuousClock.now < deadline {
            guard self.epoch == epoch, abandoned?() != true else { return false }
            try await Task.sleep(until: min(deadline, .now + .milliseconds(250)))
        }
        return self.epoch == epoch
    }

    /// The call ended; `counted` is false for a 429 (the platform does not count those).
    func finish(_ ticket: Ticket, counted: Bool) {
        inFlight -= 1
        if counted && !rate.isUnlimited { window.append(.now) }
    }

    /// A ticket taken but not used (the batch turned out to need no call of this scope): its
    /// slot goes to the next caller.
    func release(_ ticket: Ticket) {
        inFlight -= 1
        if !rate.isUnlimited { nextSlot = max(.now, nextSlot - interval) }
    }

    /// A call made without waiting for a slot (the start-up token probe, before this instance
    /// has a share): counted in the window like any other, so the paced calls make room for it.
    /// It leaves the pacing's next slot alone: taking a slot at a share of 0 would push the first
    /// real call a whole window away.
    func countUnpaced() {
        if !rate.isUnlimited { window.append(.now) }
    }

    /// The platform answered 429: nobody in this scope calls before `retryAfter` has passed.
    func throttled(retryAfter: Duration?) {
        throttledCalls += 1
        let now = ContinuousClock.now
        let until = now + max(.seconds(1), retryAfter ?? .seconds(1))
        pausedUntil = max(pausedUntil ?? until, until)
        nextSlot = max(nextSlot, until)
        // The platform's window is full: others used about the budget minus this instance's own
        // calls in it. Settle just under what is left, and go past it only a percent per window,
        // so a steady neighbour causes a 429 or two, not one a cycle.
        prune(now)
        let own = Double(window.count - windowHead - assumed.count + inFlight)
        let whole = Double(rate.requests) * max(share, 0.001)
        settle = max(0.1, min(settle * 0.9, own / whole * 0.95))
        ceiling = settle
        lastSettleChange = now
    }

    /// This instance's part of the budget (its assigned partitions over all of them).
    func setShare(_ newShare: Double) {
        let before = allowance
        let old = share
        share = min(1, max(0, newShare))
        if allowance > before { prefill() }
        if share < old && old > 0 { thin(to: share / old) }
        if allowance != before { repace() }
    }

    /// A smaller share: the window keeps only that part of this instance's past calls. The
    /// partitions that left took the rest with them: their new owner starts with a window
    /// assumed full at its share (`prefill`), which stands for those same calls. Kept whole, the
    /// window would hold this instance back until the calls it made at the larger share aged
    /// out (half a window after a split in two: 30 minutes at TextIt's 3,600/h) while the sum of
    /// both instances' windows counted them twice.
    private func thin(to fraction: Double) {
        guard !rate.isUnlimited else { return }
        prune(.now)
        var kept: [ContinuousClock.Instant] = []
        var carry = 0.0
        for entry in window[windowHead...] {
            carry += fraction
            if carry >= 1 - 1e-9 {
                kept.append(entry)
                carry -= 1
            }
        }
        window = kept
        windowHead = 0
        let left = Set(kept)
        assumed = assumed.filter { left.contains($0) }
    }

    func setRate(_ newRate: RequestRate) {
        let before = allowance
        rate = newRate
        prefill()
        if allowance != before { repace() }
    }

    /// Slots handed out at the old pacing are void: the next one is one new interval away at
    /// most (the window still bounds what is sent).
    private func repace() {
        epoch += 1
        guard !rate.isUnlimited else { return }
        nextSlot = min(nextSlot, .now + interval)
    }

    private func issue() -> Ticket {
        inFlight += 1
        nextTicket += 1
        recover()
        return Ticket(id: nextTicket)
    }

    /// Creeps `settle` back up: 5 % per twentieth of a window up to the ceiling (when it was
    /// lowered otherwise), then 1 % per whole window past it.
    private func recover() {
        let now = ContinuousClock.now
        guard settle < 1 else { return }
        if settle < ceiling, now - lastSettleChange >= rate.window / 20 {
            settle = min(ceiling, settle + 0.05)
            lastSettleChange = now
        } else if settle >= ceiling, now - lastSettleChange >= rate.window {
            settle = min(1, settle + 0.01)
            ceiling = settle
            lastSettleChange = now
        }
    }

    /// When the window next has room, or `nil` when it has room now.
    private func fullUntil(_ now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        prune(now)
        guard window.count - windowHead + inFlight >= allowance else { return nil }
        guard windowHead < window.count else { return now + .milliseconds(10) }  // all in flight: wait for one to end
        return window[windowHead] + rate.window + .milliseconds(1)
    }

    private func prune(_ now: ContinuousClock.Instant) {
        while windowHead < window.count, window[windowHead] <= now - rate.window { windowHead += 1 }
        if let first = assumed.firstIndex(where: { $0 > now - rate.window }) {
            assumed.removeFirst(first)
        } else {
            assumed.removeAll()
        }
        if windowHead > 1024 && windowHead * 2 > window.count {
            window.removeFirst(windowHead)
            windowHead = 0
        }
    }

    /// Fills the window as if calls had been paced at the current allowance for a whole window.
    private func prefill() {
        guard !rate.isUnlimited, share > 0 else { return }
        let now = ContinuousClock.now
        prune(now)
        let missing = allowance - (window.count - windowHead)
        guard missing > 0 else { return }
        let virtual = Self.virtualWindow(rate: rate, allowance: allowance, now: now, count: missing)
        window = (Array(window[windowHead...]) + virtual).sorted()
        assumed = (assumed + virtual).sorted()
        windowHead = 0
    }

    /// `count` end times spread evenly over the window ending now, the newest last.
    private static func virtualWindow(
        rate: RequestRate, allowance: Int, now: ContinuousClock.Instant,
        count: Int? = nil
    ) -> [ContinuousClock.Instant] {
        guard !rate.isUnlimited, allowance > 0 else { return [] }
        let step = rate.window / allowance
        return (0..<(count ?? allowance)).map { now - step * (count ?? allowance) + step * ($0 + 1) }
    }
}

/// The platform's two throttle scopes: `contacts.json` has its own budget, every other
/// endpoint contact-sync uses (`fields.json`, `groups.json`, `contact_actions.json`) shares `v2`.
public enum PlatformScope: String, Sendable, CaseIterable {
    case contacts = "v2.contacts"
    case v2
}
