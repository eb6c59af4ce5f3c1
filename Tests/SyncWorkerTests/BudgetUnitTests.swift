import PlatformClient
import Testing

@testable import SyncWorker

/// The budget, health and backpressure decisions on their own, without a broker or a platform.
@Suite struct BudgetUnitTests {
    @Test(arguments: ["3600/h", "3600/hour", "600/m", "20/s", "100/day", "0"])
    func drfRatesParse(text: String) throws {
        let rate = try #require(RequestRate(parsing: text))
        let expected: [String: (Int, Int64)] = [
            "3600/h": (3600, 3600), "3600/hour": (3600, 3600), "600/m": (600, 60), "20/s": (20, 1),
            "100/day": (100, 86_400), "0": (0, 1),
        ]
        #expect(rate.requests == expected[text]!.0)
        #expect(rate.window == .seconds(expected[text]!.1))
    }

    @Test(arguments: ["", "20", "x/s", "20/w", "-1/s"])
    func otherTextIsNoRate(text: String) {
        #expect(RequestRate(parsing: text) == nil)
    }

    /// However the calls are timed, no one-second window holds more than the allowance: the
    /// bound the platform's sliding window enforces. (A slow machine only lowers the count.)
    @Test func noWindowEverHoldsMoreThanTheAllowance() async throws {
        let budget = ScopeBudget(scope: .contacts, rate: RequestRate(requests: 20, per: .seconds(1)), share: 1)
        #expect(await budget.allowance == 19, "2 % kept back")
        var ends: [ContinuousClock.Instant] = []
        for _ in 0..<45 {
            let ticket = try await budget.acquire()
            ends.append(.now)
            await budget.finish(ticket, counted: true)
        }
        for (index, start) in ends.enumerated() {
            let inWindow = ends[index...].prefix { $0 - start < .seconds(1) }.count
            #expect(inWindow <= 19, "\(inWindow) calls within one second from call \(index)")
        }
    }

    /// Shares add up to at most the whole, and a share that grows starts paced, not bursting.
    @Test func sharesSplitTheAllowance() async {
        let budget = ScopeBudget(scope: .v2, rate: RequestRate(requests: 3600, per: .seconds(3600)), share: 0)
        await budget.setShare(1.0 / 3)
        #expect(await budget.allowance == 1176)
        #expect(await budget.used == 1176, "the window starts full of paced calls: no burst")
        await budget.setShare(2.0 / 3)
        #expect(await budget.allowance == 2352)
    }

    /// An eager rebalance takes the share to 0 for a moment (allowance 1 a window); a lane that
    /// asked for budget in that gap must not wait a whole window once the share is back. Fails
    /// when `setShare` leaves slots taken at the old pacing in place (at 60/m the next ticket
    /// came 60 s later; at TextIt's 3,600/h an hour).
    @Test func aShareDipDoesNotStallTheNextCall() async throws {
        // The window starts full of paced calls at the share (see `sharesSplitTheAllowance`).
        let budget = ScopeBudget(scope: .contacts, rate: RequestRate(requests: 60, per: .seconds(60)), share: 0.5)
        await budget.setShare(0)
        let waiter = Task {
            let ticket = try await budget.acquire()
            await budget.finish(ticket, counted: true)
        }
        // The waiter took its slot at the dip's pace (a whole window out, at share 0).
        while await budget.nextGrant < .seconds(30) { try await Task.sleep(for: .milliseconds(10)) }
        await budget.setShare(0.5)
        let interval = Duration.seconds(2)  // 30 calls a minute at the share
        let wait = await budget.nextGrant
        #expect(wait <= interval * 3, "the next call waits \(wait) after the share came back, not the dip's window")
        try await waiter.value
        let after = await budget.nextGrant
        #expect(after <= interval * 3, "and the call after it is paced at the share (\(after)), not the dip")
    }

    /// A split in two (a second instance joined): this instance goes on at its new pace at once.
    /// Fails when the window keeps every call made at the larger share: the next call then waits
    /// until half of them aged out, half a window (30 s here, 30 minutes at 3,600/h).
    @Test func aSmallerShareGoesOnAtItsPaceAtOnce() async throws {
        let budget = ScopeBudget(scope: .contacts, rate: RequestRate(requests: 120, per: .seconds(60)), share: 1)
        await budget.setShare(0.5)
        let (held, halved) = (await budget.used, await budget.allowance)
        #expect(held <= halved, "the window keeps \(held) calls of the larger share against an allowance of \(halved)")
        let interval = Duration.seconds(1)  // 60 calls a minute at the share
        for _ in 0..<2 {
            let wait = await budget.nextGrant
            #expect(wait <= interval * 2, "the next call waits \(wait), at about one a second")
            let ticket = try await budget.acquire()
            await budget.finish(ticket, counted: true)
        }
        let (used, allowance) = (await budget.used, await budget.allowance)
        #expect(used <= allowance)
    }

    @Test func a429PausesTheScopeAndLowersTheShare() async {
        let budget = ScopeBudget(scope: .contacts, rate: RequestRate(requests: 100, per: .seconds(60)), share: 1)
        let before = await budget.allowance
        await budget.throttled(retryAfter: .seconds(30))
        #expect(await budget.allowance < before)
        let paused = await budget.pausedUntil
        #expect(paused.map { $0 > .now + .seconds(29) } == true)
        #expect(await budget.throttledCalls == 1)
    }

    @Test func unlimitedNeverWaits() async throws {
        let budget = ScopeBudget(scope: .contacts, rate: .unlimited, share: 1)
        for _ in 0..<1000 { await budget.finish(try await budget.acquire(), counted: true) }
        #expect(await budget.used == 0)
    }

    // MARK: health

    @Test func aThirdFailingIsHealthyHalfFailingIsDegradedAndItRecovers() {
        var health = PlatformHealth()
        let start = ContinuousClock.now
        for _ in 0..<40 { health.record(failed: false, at: start) }
        for index in 0..<40 { health.record(failed: index % 3 == 0, at: start) }
        #expect(!health.isDegraded, "a third failing stays below 40 %")
        for index in 0..<40 { health.record(failed: index % 2 == 1, at: start) }
        #expect(health.isDegraded, "50 % failing is degraded")
        for _ in 0..<4 { health.record(failed: false, at: start) }
        #expect(health.isDegraded, "four successes are not yet a recovery")
        health.record(failed: false, at: start)
        #expect(!health.isDegraded, "five in a row are")
    }

    @Test func failuresInARowAreDownWhateverTheSample() {
        var health = PlatformHealth()
        let start = ContinuousClock.now
        for _ in 0..<9 { health.record(failed: true, at: start) }
        #expect(!health.isDegraded, "nine is below the minimum sample and the run")
        health.record(failed: true, at: start)
        #expect(health.isDegraded)
    }

    @Test func oldOutcomesLeaveTheSample() {
        var health = PlatformHealth()
        let start = ContinuousClock.now
        for _ in 0..<20 { health.record(failed: false, at: start) }
        #expect(health.failureRate(at: start + .seconds(31)) == nil, "past the horizon nothing is judged")
    }

    // MARK: backpressure

    @Test func backpressurePausesPastEitherBoundAndResumesBelowHalfOfBoth() {
        var pressure = Backpressure(maxEntities: 100, maxBytes: 1000)
        let steps: [(entities: Int, bytes: Int, paused: Bool, why: String)] = [
            (100, 1000, false, "at both bounds"),
            (101, 0, true, "past the entities"),
            (60, 0, true, "still above half"),
            (50, 600, true, "entities at half, bytes not"),
            (50, 500, false, "both at half"),
            (0, 1001, true, "past the bytes"),
        ]
        for step in steps {
            let paused = pressure.update(entities: step.entities, bytes: step.bytes)
            #expect(paused == step.paused, "\(step.why)")
        }
    }
}
