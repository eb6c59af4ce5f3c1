import PropertyBased
import Testing

@testable import SyncCore

/// Always draws the same end of the range: `.max` the top, `1` the bottom (a constant 0 would make
/// the standard library's rejection sampling loop forever).
struct FixedDraw: RandomNumberGenerator {
    let value: UInt64
    mutating func next() -> UInt64 { value }
}

@Suite struct EngineRetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 8, maxElapsed: .seconds(300), base: .milliseconds(100), cap: .seconds(30))

    func decide(
        _ attempt: Int, elapsed: Duration = .zero, retryAfter: Duration? = nil, draw: UInt64, policy: RetryPolicy? = nil
    ) -> RetryPolicy.Decision {
        var random = FixedDraw(value: draw)
        return (policy ?? self.policy).decide(
            attempt: attempt, elapsed: elapsed, retryAfter: retryAfter, using: &random)
    }

    @Test(arguments: [(1, 100), (2, 200), (3, 400), (4, 800), (5, 1_600), (6, 3_200), (7, 6_400)])
    func theTopOfTheJitterDoublesPerAttempt(_ attempt: Int, _ millis: Int64) {
        #expect(decide(attempt, draw: .max) == .retry(after: .milliseconds(millis)))
        #expect(decide(attempt, draw: 1) == .retry(after: .zero))
    }

    @Test func theExponentialIsCapped() {
        let long = RetryPolicy(
            maxAttempts: 100, maxElapsed: .seconds(10_000), base: .milliseconds(100), cap: .seconds(30))
        #expect(decide(20, draw: .max, policy: long) == .retry(after: .seconds(30)))
        #expect(decide(64, draw: .max, policy: long) == .retry(after: .seconds(30)))
    }

    @Test func givesUpAtMaxAttempts() {
        #expect(decide(8, draw: 1) == .giveUp(reason: "gave up after 8 attempts"))
        #expect(decide(9, draw: 1) == .giveUp(reason: "gave up after 9 attempts"))
        if case .giveUp = decide(7, draw: 1) { Issue.record("attempt 7 of 8 must retry") }
    }

    @Test(
        arguments: [
            // (attempt, retry-after ms, draw, expected wait ms): Retry-After is a floor, never a cap
            (1, 5_000, UInt64.max, 5_000), (1, 5_000, 1, 5_000), (3, 50, UInt64.max, 400), (3, 50, 1, 50),
            (7, 60_000, 1, 60_000),
        ] as [(Int, Int64, UInt64, Int64)])
    func retryAfterIsAFloor(_ attempt: Int, _ retryAfter: Int64, _ draw: UInt64, _ expected: Int64) {
        #expect(
            decide(attempt, retryAfter: .milliseconds(retryAfter), draw: draw) == .retry(after: .milliseconds(expected))
        )
    }

    @Test(
        arguments: [
            // (elapsed ms, retry-after ms, draw, retries?)
            (299_000, nil, UInt64.max, true),  // 299 s + 100 ms fits in 300 s
            (299_950, nil, UInt64.max, false),  // 299.95 s + 100 ms does not
            (299_950, nil, 1, true),  // a zero wait still fits
            (300_000, nil, 1, true),  // exactly on the budget is within it
            (290_000, 10_000, 1, true),
            (290_000, 10_001, 1, false),  // Retry-After past the budget: give up now
            (0, 300_001, 1, false),
        ] as [(Int64, Int64?, UInt64, Bool)])
    func theElapsedBudget(_ elapsed: Int64, _ retryAfter: Int64?, _ draw: UInt64, _ retries: Bool) {
        let decision = decide(
            1, elapsed: .milliseconds(elapsed), retryAfter: retryAfter.map { .milliseconds($0) }, draw: draw)
        if retries {
            guard case .retry = decision else {
                Issue.record("expected a retry, got \(decision)")
                return
            }
        } else {
            guard case .giveUp(let reason) = decision else {
                Issue.record("expected to give up, got \(decision)")
                return
            }
            #expect(reason.contains("retry budget 300.0 seconds"))
        }
    }

    @Test func waitsStayWithinJitterFloorAndBudget() async {
        await propertyCheck(
            count: 500, input: Gen<Int>.value(in: 1...40), Gen<Int64>.value(in: 0...400_000),
            Gen<Int64>.value(in: -1...90_000), Gen<Int>.value(in: 0...Int.max)
        ) { attempt, elapsedMs, retryAfterMs, seed in
            var random = Xoroshiro(seed: UInt64(seed))
            let retryAfter: Duration? = retryAfterMs < 0 ? nil : .milliseconds(retryAfterMs)
            let elapsed = Duration.milliseconds(elapsedMs)
            let top = min(Duration.seconds(30), .milliseconds(100) * (1 << min(attempt - 1, 30)))
            switch policy.decide(attempt: attempt, elapsed: elapsed, retryAfter: retryAfter, using: &random) {
            case .retry(let wait):
                #expect(attempt < 8)
                #expect(wait >= (retryAfter ?? .zero))
                #expect(wait <= max(top, retryAfter ?? .zero))
                #expect(elapsed + wait <= .seconds(300))
            case .giveUp:
                #expect(
                    attempt >= 8 || elapsed + (retryAfter ?? .zero) > .seconds(300) || elapsed + top > .seconds(300))
            }
        }
    }

    @Test(arguments: [
        (Duration.milliseconds(1_500), Int64(1_500)), (.seconds(2), 2_000), (.zero, 0), (.microseconds(999), 0),
        (.milliseconds(-3), -3),
    ])
    func durationMilliseconds(_ duration: Duration, _ millis: Int64) {
        #expect(duration.milliseconds == millis)
    }
}
