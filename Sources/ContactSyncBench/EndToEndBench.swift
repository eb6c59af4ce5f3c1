import ContactSyncTesting
import Foundation
import Kafka
import Logging
import PlatformClient
import PlatformSandbox
import SyncCore
import SyncWorker

/// The real worker against the sandbox over HTTP and the mock cluster over TCP.
enum EndToEndBench {
    struct Outcome {
        let events: Int
        let applyTime: Duration
        let contactCalls: Int
        let throttled: Int
        /// Did not catch up within the deadline: a failure, not a rate.
        var timedOut = false
        /// Entities whose contact is missing or holds another name than its last event's.
        var wrongContacts = 0
    }

    static let maxInFlight = 64
    static let latencyMs = 20

    static func run(logger: Logger) async throws -> [Bench.Row] {
        let steady = try await measure(
            events: (0..<3000).map { ("cus_\($0)", 1) }, latencyMs: latencyMs, maxInFlight: maxInFlight,
            ratePerSecond: nil, limiterRate: nil, logger: logger)
        // The HTTP stack alone and the naive baseline run right after, in the same run, at the same latency.
        let ceiling = try await ClientCeiling.callsPerSecond(
            latencyMs: latencyMs, concurrency: maxInFlight, logger: logger)
        let baseline = try await NaiveBaselineBench.run(latencyMs: latencyMs, logger: logger)
        let burst = try await measure(
            events: (0..<500).map { ("cus_\($0 / 10)", $0 % 10 + 1) }, latencyMs: latencyMs, maxInFlight: maxInFlight,
            ratePerSecond: nil, limiterRate: nil, logger: logger)
        let cap = 50.0
        let capped = try await measure(
            // 2,000 calls (40 s at R): the clock runs from the first record fetched to the last offset
            // committed, so the join and the last commit (about a second) are inside it.
            events: (0..<2000).map { ("cus_\($0)", 1) }, latencyMs: 5, maxInFlight: maxInFlight,
            ratePerSecond: cap, limiterRate: cap, logger: logger)
        return [throughputRow(steady, ceiling: ceiling, baseline: baseline), rateCapRow(capped, cap: cap)]
            + callsRows(steady: steady, burst: burst)
    }

    /// Events/s against Little's-law bound, and beside it the HTTP stack alone and the naive baseline.
    static func throughputRow(_ steady: Outcome, ceiling: Double, baseline: NaiveBaselineBench.Outcome) -> Bench.Row {
        let bound = Double(maxInFlight) / (Double(latencyMs) / 1000)
        guard !steady.timedOut && steady.wrongContacts == 0 else {
            return .init(
                name: "end to end, sandbox at \(latencyMs) ms, max_in_flight \(maxInFlight)",
                figure: steady.timedOut
                    ? "FAILED: did not catch up in 120 s" : "FAILED: \(steady.wrongContacts) contacts wrong",
                target: "≥ 90 % of max_in_flight / latency; ≥ 50× naive baseline", beside: "", met: false)
        }
        let achieved = rate(steady.events, steady.applyTime)
        let versus: String
        var met = achieved >= 0.9 * bound
        switch baseline {
        case .measured(let baselineRate, let events):
            let ratio = achieved / baselineRate
            versus =
                "naive baseline (Python, \(events) events): \(formatted(baselineRate)) events/s, worker = \(formatted(ratio))× it (target ≥ 50×)"
            met = met && ratio >= 50
        case .unavailable(let reason):
            versus = "naive baseline \(reason)"
        }
        return .init(
            name: "end to end, sandbox at \(latencyMs) ms, max_in_flight \(maxInFlight)",
            figure: "\(formatted(achieved)) events/s (\(Int(achieved / bound * 100)) % of bound)",
            target: "≥ 90 % of max_in_flight / latency; ≥ 50× naive baseline",
            beside:
                "bound \(formatted(bound))/s; the bare HTTP client at the same concurrency and latency: \(formatted(ceiling)) calls/s (\(Int(ceiling / bound * 100)) % of bound), worker = \(Int(achieved / ceiling * 100)) % of it; \(versus)",
            met: met)
    }

    static func rateCapRow(_ capped: Outcome, cap: Double) -> Bench.Row {
        let cappedRate = rate(capped.contactCalls, capped.applyTime)
        return .init(
            name: "rate cap at R = \(Int(cap)) req/s (sandbox limits at R too)",
            figure: "\(formatted(cappedRate)) req/s (\(Int(cappedRate / cap * 100)) % of R), \(capped.throttled) × 429",
            target: "≥ 95 % of R, 0 × 429",
            beside: "\(capped.contactCalls) calls, first record fetched to last offset committed",
            met: !capped.timedOut && capped.wrongContacts == 0 && cappedRate >= 0.95 * cap && capped.throttled == 0)
    }

    static func callsRows(steady: Outcome, burst: Outcome) -> [Bench.Row] {
        let steadyCalls = Double(steady.contactCalls) / Double(steady.events)
        let burstCalls = Double(burst.contactCalls) / Double(burst.events)
        return [
            .init(
                name: "API calls per event, steady (distinct keys)", figure: formatted(steadyCalls), target: "≤ 1.0",
                beside: "\(steady.contactCalls) calls / \(steady.events) events", met: steadyCalls <= 1.0),
            .init(
                name: "API calls per event, bursty (10 updates per key)", figure: formatted(burstCalls),
                target: "≤ 0.3", beside: "\(burst.contactCalls) calls / \(burst.events) events", met: burstCalls <= 0.3),
        ]
    }

    static func measure(
        events: [(key: String, version: Int)], latencyMs: Int, maxInFlight: Int, ratePerSecond: Double?,
        limiterRate: Double?, logger: Logger
    ) async throws -> Outcome {
        let harness = try await WorkerHarness.bench(
            chaos: SandboxChaos(latencyMs: latencyMs, ratePerSecond: ratePerSecond), logger: logger)
        try await harness.produce(records: BenchEvents.records(events))
        let budget = limiterRate.map { RequestRate(requests: Int($0), per: .seconds(1)) } ?? .unlimited
        // The same clock as the naive baseline's: from the first record fetched to the last offset
        // committed (the worker counts as caught up once everything fetched is committed).
        let running = try await harness.startWorker(budget: budget, untilCaughtUp: true, maxInFlight: maxInFlight)
        let drain = await Drain.measure(running, limit: .seconds(120), every: .milliseconds(2))
        try await running.shutdown()
        // Checked as the baseline's result is: every key's contact holds its last event.
        var last: [String: Int] = [:]
        for event in events { last[event.key] = max(last[event.key] ?? 0, event.version) }
        let state = harness.sandbox.state()
        let wrong = last.filter { key, version in
            state.contact(urn: "ext:\(key)")?.name != BenchEvents.name(key: key, version: version)
        }.count
        let stats = harness.sandbox.stats()
        await harness.shutdown()
        return Outcome(
            events: events.count, applyTime: drain.time, contactCalls: stats.count(endpoint: "contacts.json"),
            throttled: stats.count(status: 429), timedOut: !drain.caughtUp, wrongContacts: wrong)
    }
}
