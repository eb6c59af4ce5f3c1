import Foundation
import Kafka
import PlatformSandbox

extension RollingDeploy {
    /// What a deploy may cost at most (issue 25): contact writes over one instance's for the same
    /// events, and the longest time no partition is worked.
    static let writesAllowance = 1.05
    static let idleAllowance: Duration = .seconds(2)

    /// The usual end-state judgement of the deploy's group, and the deploy's own: dead letters
    /// per bad record, writes against the baseline, idle time, clean stops.
    func judge(broker: BrokerKind) async throws -> Verdict {
        let name = "rolling deploy, \(plan.restarts) restarts (\(broker == .mock ? "mock" : "Tansu"))"
        var judged = traffic
        judged.records = warmUp.records + traffic.records
        judged.finals.merge(warmUp.finals) { $1 }
        var verdict = Verdict.judge(
            name, traffic: judged, state: stage.sandbox.state(), deadLetters: try await stage.deadLetters(),
            caughtUp: caughtUp)
        let reference = Verdict.judge(
            "baseline", traffic: judged, state: baseline.sandbox.state(),
            deadLetters: try await baseline.deadLetters(), caughtUp: caughtUp)

        // librdkafka's mock coordinator ignores LeaveGroup (a restarted member's partitions wait
        // out the old session timeout, 6 s here, and the group rebalances meanwhile) and refuses
        // or fences commits while a rebalance is prepared, where Apache Kafka accepts them: there
        // the revocation's commit is lost and finished work is done again. So on the mock the
        // dead letters per record and the idle time are shown, not judged; the independent broker
        // (Tansu, `scripts/chaos --broker tansu rolling`) judges them. A record never dead-lettered
        // is a loss on either.
        let strict = broker == .tansu
        // A broker that drops the offset commit's metadata (Tansu 0.6.0) is judged alike: what
        // a revoking owner finished out of order then reaches the next one by the versions topic.
        let metadataKept = strict ? try await stage.keepsCommitMetadata() : true
        let letters = try await deadLettersPerRecord()
        let repeated = letters.values.filter { $0 > 1 }
        verdict.check(
            (repeated.isEmpty || !strict) && letters.count == traffic.badCount,
            "\(repeated.count) of \(traffic.badCount) bad records dead-lettered more than once (up to \(repeated.max() ?? 0) times), \(traffic.badCount - letters.count) never"
        )

        let (stats, baselineStats) = (stage.sandbox.stats(), baseline.sandbox.stats())
        let writes = IdleWatch.contactWrites(stats)
        let baselineWrites = IdleWatch.contactWrites(baselineStats)
        // Not judged, shown: a partition's new owner may look contacts up that the old one knew.
        let lookups = stats.count(endpoint: "contacts.json", method: "GET")
        let baselineLookups = baselineStats.count(endpoint: "contacts.json", method: "GET")
        let actions = stats.count(endpoint: "contact_actions.json")
        let baselineActions = baselineStats.count(endpoint: "contact_actions.json")
        let ratio = baselineWrites > 0 ? Double(writes) / Double(baselineWrites) : .infinity
        verdict.check(
            ratio <= Self.writesAllowance,
            "\(writes) contact writes, \(Self.percent(ratio)) of one instance's \(baselineWrites) (at most \(Self.percent(Self.writesAllowance)))"
        )

        // Judged: how long the one instance was calling while this group made no call. The gap
        // between this group's calls (`gap`, shown) also counts quiet stretches of the traffic
        // (rounds of replays that need no call) whenever the baseline's first call after one
        // just precedes this group's: on Tansu that made 8-12 s "idle" stretches in which the
        // baseline called for under a second.
        let gap = watch.longestIdle(from: firstRestart, workSeenBy: baselineWatch)
        let idle = watch.longestIdleWhileBaselineWorked(from: firstRestart, baseline: baselineWatch)
        verdict.check(
            idle.idle <= Self.idleAllowance || !strict,
            "no partition worked for \(Self.seconds(idle.idle)) while the one instance did (at most \(Self.seconds(Self.idleAllowance)))"
        )

        verdict.check(
            reference.passed,
            "the one-instance baseline itself failed (lost \(reference.lost), duplicated \(reference.duplicated), wrong \(reference.wrongFinal), dead-lettered \(reference.deadLettered)/\(reference.badExpected))"
        )
        let killed = stops.filter { $0 == nil }.count
        verdict.check(
            killed == 0,
            "\(killed) of \(stops.count) stopped instances did not exit with status 0 within 60 s of SIGTERM")
        // The deploy must meet work: a restart after the producer's end proves nothing about one under traffic.
        verdict.require(
            restartsUnderTraffic == plan.restarts,
            "only \(restartsUnderTraffic) of \(plan.restarts) restarts happened while the producer was sending")

        // For `contact-sync-bench rolling`: the deploy's figures as one line of a file it names.
        if let path = ProcessInfo.processInfo.environment["CHAOS_FIGURES"] {
            let line =
                "broker=\(broker == .mock ? "mock" : "tansu") writes=\(writes) baseline=\(baselineWrites) idle=\(String(format: "%.2f", Double(idle.idle.components.seconds) + Double(idle.idle.components.attoseconds) / 1e18))"
                + " repeated=\(repeated.count) bad=\(traffic.badCount) letters=\(letters.values.reduce(0, +)) lost=\(verdict.lost) passed=\(verdict.passed)\n"
            if let handle = FileHandle(forWritingAtPath: path)
                ?? {
                    _ = FileManager.default.createFile(atPath: path, contents: nil)
                    return FileHandle(forWritingAtPath: path)
                }()
            {
                handle.seekToEndOfFile()
                handle.write(Data(line.utf8))
                try? handle.close()
            }
        }
        let stopTimes = stops.map { $0.map { String(format: "%.1f", $0) } ?? "failed" }.joined(separator: "/")
        verdict.note = [
            "writes \(writes) vs \(baselineWrites) for one instance (\(Self.percent(ratio))), lookups \(lookups) vs \(baselineLookups), batched actions \(actions) vs \(baselineActions)",
            "longest idle \(Self.seconds(idle.idle)) while the one instance called, ended \(Self.seconds(idle.endedAfter)) after the first restart (longest gap in calls \(Self.seconds(gap.idle)), ended \(Self.seconds(gap.endedAfter)))",
            "dead letters \(letters.values.reduce(0, +)) for \(traffic.badCount) bad (at most \(letters.values.max() ?? 0) a record)",
            strict ? "" : "dead letters per record and idle not judged on the mock (its coordinator's quirks)",
            !strict || metadataKept
                ? ""
                : "this broker drops the offset commit's metadata (Tansu 0.6.0): what was done past a commit reached the next owner by the versions topic",
            "stops took \(stopTimes) s", traffic.mix, verdict.note,
        ].filter { !$0.isEmpty }.joined(separator: "; ")
        return verdict
    }

    /// How many dead letters name each bad record's source offset (headers
    /// `__connect.errors.partition` / `.offset`), by where the record landed. A bad record
    /// missing here was never dead-lettered; a count above 1 was done twice.
    func deadLettersPerRecord() async throws -> [String: Int] {
        var bad: Set<String> = []
        for (record, report) in zip(traffic.records, landed) where record.isBad {
            bad.insert("\(report.partition)@\(report.offset)")
        }
        var counts: [String: Int] = [:]
        for letter in try await stage.deadLetters() {
            let header = { (name: String) in
                letter.headers.first { $0.name == name }?.value.map { String(decoding: $0, as: UTF8.self) }
            }
            let place = "\(header("__connect.errors.partition") ?? "-")@\(header("__connect.errors.offset") ?? "-")"
            if bad.contains(place) { counts[place, default: 0] += 1 }
        }
        return counts
    }

    static func percent(_ ratio: Double) -> String {
        ratio.isFinite ? "\(Int((ratio * 100).rounded())) %" : "∞ %"
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.1f s", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }
}
