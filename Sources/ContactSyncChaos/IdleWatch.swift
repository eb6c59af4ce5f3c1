import Foundation
import PlatformSandbox
import Synchronization

/// Watches the platform's contact calls (contacts.json, any method, and contact_actions.json)
/// as they are answered, for the longest time no partition was being worked.
///
/// Why calls: they are what the group's work is for, and they are seen outside the workers, so
/// the figure cannot be flattered by what a worker believes it holds. A worker that holds a
/// partition but waits (for a rebalance, a restore, a session to expire) makes none. Fields and
/// groups reads are left out: every instance makes them once when it starts, which would split
/// an idle stretch in two without any partition being worked.
///
/// Why a gap between calls is idle time: the scenario's producer is live and steady, its traffic
/// interleaved so that every second brings call-making events on every partition (a stretch of
/// only skipped events, such as a replay round, is spread among other keys' new versions). So
/// while records wait, a gap of more than a few producer ticks means no partition was worked.
/// The watch is judged from `from` (the first restart) to the last call: after that nothing was
/// pending, and gaps there are the traffic's end, not idleness. A stretch of the traffic with no
/// call-making event at all (a long replay round of already-applied versions) is no idleness
/// either: the one-instance baseline, fed the same records at the same moments, shows where
/// there was work (`longestIdle(from:workSeenBy:)`).
final class IdleWatch: Sendable {
    private let sandbox: Sandbox
    /// Instants at which the count of contact calls grew, in order.
    private let moments = Mutex<[ContinuousClock.Instant]>([])
    private let task = Mutex<Task<Void, Never>?>(nil)
    /// How often the count is read: the figure's resolution.
    static let resolution: Duration = .milliseconds(10)

    init(_ sandbox: Sandbox) {
        self.sandbox = sandbox
    }

    static func contactCalls(_ stats: SandboxStats) -> Int {
        stats.count(endpoint: "contacts.json") + stats.count(endpoint: "contact_actions.json")
    }

    /// Contact writes, one a create or update applied (POST contacts.json; DELETE too, though the
    /// worker deletes through contact_actions.json). Batched actions are left out: a
    /// contact_actions.json call carries 1 to 100 deletes as timing gathers them, so their count
    /// is not the work's; the end state still judges every delete.
    static func contactWrites(_ stats: SandboxStats) -> Int {
        stats.count(endpoint: "contacts.json", method: "POST")
            + stats.count(endpoint: "contacts.json", method: "DELETE")
    }

    func start() {
        let watcher = Task { [self] in
            var last = Self.contactCalls(sandbox.stats())
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.resolution)
                let now = Self.contactCalls(sandbox.stats())
                if now != last { moments.withLock { $0.append(.now) } }
                last = now
            }
        }
        task.withLock { $0 = watcher }
    }

    func stop() {
        task.withLock { $0?.cancel() }
    }

    /// The longest stretch without a contact call from `from` to the last call, and when it ended
    /// (seconds after `from`); zero when no call came after `from`. With `baseline`, a stretch
    /// counts only from its start to the baseline's last call within it: while the one instance
    /// still called, there was work this group left undone; once it stopped too, there was none.
    func longestIdle(from: ContinuousClock.Instant, workSeenBy baseline: IdleWatch? = nil) -> (
        idle: Duration, endedAfter: Duration
    ) {
        let seen = moments.withLock { $0 }
        let work = baseline?.moments.withLock { $0 }
        var previous = from
        var longest: (idle: Duration, endedAfter: Duration) = (.zero, .zero)
        for moment in seen where moment > from {
            var idle = moment - previous
            if let work {
                let lastWork = work.last { $0 > previous && $0 < moment }
                idle = lastWork.map { $0 - previous } ?? .zero
            }
            if idle > longest.idle { longest = (idle, moment - from) }
            previous = moment
        }
        return longest
    }

    /// Within each stretch without a contact call from `from` on, the span from the baseline's
    /// first call in it to its last: the time the one instance was demonstrably working while
    /// this group was not. Unlike `longestIdle`, a quiet stretch of the traffic (a round of
    /// replays that needs no call) counts nothing when the baseline's first call after it only
    /// just precedes this group's. The longest such span, and when its stretch ended.
    func longestIdleWhileBaselineWorked(from: ContinuousClock.Instant, baseline: IdleWatch) -> (
        idle: Duration, endedAfter: Duration
    ) {
        let seen = moments.withLock { $0 }
        let work = baseline.moments.withLock { $0 }
        var previous = from
        var longest: (idle: Duration, endedAfter: Duration) = (.zero, .zero)
        for moment in seen where moment > from {
            let inside = work.filter { $0 > previous && $0 < moment }
            if let first = inside.first, let last = inside.last, last - first > longest.idle {
                longest = (last - first, moment - from)
            }
            previous = moment
        }
        return longest
    }
}
