import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process the bench runs and waits for with `wait4`, which reports that one child's
/// peak RSS (Foundation's `Process` reaps its children itself, so their usage would be lost,
/// and `RUSAGE_CHILDREN` mixes every child's).
enum ChildProcess {
    struct Exit {
        /// The exit code, or 128 + the signal that ended it.
        let status: Int32
        let peakRSSBytes: Int
        let wallTime: Duration
        let stdout: String
        /// The last lines it wrote to stderr, for error messages.
        let stderrTail: String
    }

    /// Runs `executable` with `arguments` and the bench's environment plus `environment`,
    /// killing it (SIGKILL) if it runs longer than `timeout`.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], timeout: Duration) async throws -> Exit {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("bench-child-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(atPath: out.path + ".out")
            try? FileManager.default.removeItem(atPath: out.path + ".err")
        }
        let started = ContinuousClock.now
        let pid = try spawn(executable, arguments, environment: environment, stdout: out.path + ".out", stderr: out.path + ".err")
        let killer = Task {
            try await Task.sleep(for: timeout)
            kill(pid, SIGKILL)
        }
        let (status, usage) = await reap(pid)
        killer.cancel()
        let wallTime = ContinuousClock.now - started
        let stdout = (try? String(contentsOfFile: out.path + ".out", encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: out.path + ".err", encoding: .utf8)) ?? ""
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + status & 0x7f
        return Exit(status: code, peakRSSBytes: usage.ru_maxrss * 1024, wallTime: wallTime, stdout: stdout,
                    stderrTail: stderr.split(separator: "\n").suffix(5).joined(separator: " / "))
    }

    private static func spawn(_ executable: String, _ arguments: [String], environment: [String: String], stdout: String, stderr: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let err = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard err == 0 else {
            throw BenchError("cannot start \(executable): \(String(cString: strerror(err))); build it first (scripts/bench does)")
        }
        return pid
    }

    /// Waits for `pid` on a thread of its own, not one of the few of Swift's cooperative pool.
    private static func reap(_ pid: pid_t) async -> (Int32, rusage) {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var status: Int32 = 0
                var usage = rusage()
                while wait4(pid, &status, 0, &usage) == -1 && errno == EINTR {}
                continuation.resume(returning: (status, usage))
            }
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
