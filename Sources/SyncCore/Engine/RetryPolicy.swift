/// When to try a failed platform call again, and when to give up on an event.
///
/// Exponential back-off with full jitter (a random wait between zero and the capped
/// exponential), so many lanes failing together don't retry in lockstep; the platform's
/// `Retry-After` comes first: never retry sooner than it asked.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var maxElapsed: Duration
    public var base: Duration
    public var cap: Duration

    public init(
        maxAttempts: Int = 8, maxElapsed: Duration = .seconds(300), base: Duration = .milliseconds(100),
        cap: Duration = .seconds(30)
    ) {
        self.maxAttempts = maxAttempts
        self.maxElapsed = maxElapsed
        self.base = base
        self.cap = cap
    }

    public enum Decision: Sendable, Equatable {
        case retry(after: Duration)
        case giveUp(reason: String)
    }

    /// After `attempt` failed attempts (1 = the first call failed), `elapsed` since the first.
    public func decide<R: RandomNumberGenerator>(
        attempt: Int, elapsed: Duration, retryAfter: Duration?, using random: inout R
    ) -> Decision {
        if attempt >= maxAttempts { return .giveUp(reason: "gave up after \(attempt) attempts") }
        let exponential = min(cap, base * (1 << min(attempt - 1, 30)))
        let millis = max(Int64(0), exponential.milliseconds)
        var wait = Duration.milliseconds(Int64.random(in: 0...millis, using: &random))
        if let retryAfter { wait = max(wait, retryAfter) }
        if elapsed + wait > maxElapsed {
            return .giveUp(reason: "gave up after \(attempt) attempts in \(elapsed) (retry budget \(maxElapsed))")
        }
        return .retry(after: wait)
    }
}

extension Duration {
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
