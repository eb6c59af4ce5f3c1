/// Decides, request by request, which injected fault (if any) applies.
///
/// Fault draws come from a seeded generator, so the same seed and the same request order give
/// the same failures; the throttle is a token bucket refilled at `ratePerSecond`.
struct ChaosEngine: Sendable {
    enum Verdict: Equatable {
        case proceed
        case serverError(status: Int)
        case throttled(retryAfterSeconds: Int)
    }

    private(set) var settings: SandboxChaos
    private var random: SplitMix64
    private var tokens: Double
    private var lastRefill: ContinuousClock.Instant

    init(settings: SandboxChaos, seed: UInt64) {
        self.settings = settings
        self.random = SplitMix64(seed: seed)
        self.tokens = Self.capacity(settings)
        self.lastRefill = .now
    }

    mutating func update(_ new: SandboxChaos) {
        if new.ratePerSecond != settings.ratePerSecond { tokens = Self.capacity(new) }
        settings = new
        lastRefill = .now
    }

    /// Whether this request fails with a 5xx (checked before authentication, like a proxy's fault).
    mutating func drawFailure() -> Verdict {
        guard settings.failRate > 0 else { return .proceed }
        guard random.nextUnit() < settings.failRate else { return .proceed }
        let statuses = [500, 502, 503, 504]
        return .serverError(status: statuses[Int(random.next() % UInt64(statuses.count))])
    }

    /// Whether this request is over the budget (checked after authentication, as the platform does).
    mutating func takeToken(isWrite: Bool) -> Verdict {
        guard let rate = settings.ratePerSecond, rate > 0, isWrite || settings.throttleReads else { return .proceed }
        let now = ContinuousClock.now
        let elapsed = now - lastRefill
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        tokens = min(Self.capacity(settings), tokens + seconds * rate)
        lastRefill = now
        if tokens >= 1 {
            tokens -= 1
            return .proceed
        }
        let wait = ((1 - tokens) / rate).rounded(.up)
        return .throttled(retryAfterSeconds: max(1, Int(min(wait, 86_400))))
    }

    private static func capacity(_ settings: SandboxChaos) -> Double {
        max(1, settings.ratePerSecond ?? 1)
    }
}

/// A small seeded generator (SplitMix64): repeatable fault patterns without global state.
struct SplitMix64: Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform draw in `0..<1`.
    mutating func nextUnit() -> Double {
        Double(next() >> 11) / Double(1 << 53)
    }
}
