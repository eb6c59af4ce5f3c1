/// A token bucket shared by every lane, so the worker stays under the platform's budget
/// instead of provoking 429s.
actor RateLimiter {
    private let ratePerSecond: Double
    private let burst: Double
    private var tokens: Double
    private var last = ContinuousClock.now

    init(ratePerSecond: Double, burst: Double? = nil) {
        self.ratePerSecond = ratePerSecond
        self.burst = burst ?? max(1, ratePerSecond / 10)
        tokens = self.burst
    }

    /// Waits until a request may be sent.
    func acquire() async throws {
        let now = ContinuousClock.now
        tokens = min(burst, tokens + ratePerSecond * (now - last).seconds)
        last = now
        tokens -= 1
        if tokens < 0 {
            // Reserve the token now and sleep for the debt: later callers queue behind us.
            try await Task.sleep(for: .seconds(-tokens / ratePerSecond))
        }
    }
}

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
