import Foundation
import PlatformSandbox

extension WorkerProcess {
    /// Starts the binary `runs` times, one after another, and kills each run with SIGKILL at a
    /// random moment up to `within` after it first called the platform (a run first waits for
    /// the group: a killed member's session has to expire). Returns how many runs were killed
    /// mid-work: still running, and after a platform call of their own. A run that makes no call
    /// within `firstCall` is killed all the same and not counted.
    public func killNineAndRestart(
        runs: Int, within: Duration, extra: [String: String] = [:], firstCall: Duration = .seconds(60)
    ) async throws -> Int {
        var generator = SystemRandomNumberGenerator()
        var midWork = 0
        for _ in 0..<runs {
            let before = harness.sandbox.stats().total
            let process = try start(extra: extra)
            let end = ContinuousClock.now + firstCall
            while harness.sandbox.stats().total == before, process.isRunning, ContinuousClock.now < end {
                try await Task.sleep(for: .milliseconds(20))
            }
            try await Task.sleep(for: within * Double.random(in: 0...1, using: &generator))
            if process.isRunning && harness.sandbox.stats().total > before { midWork += 1 }
            Self.killNine(process)
        }
        return midWork
    }
}
