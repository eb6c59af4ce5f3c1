import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A child process the bench runs, with its peak RSS: the kernel's high-water mark of its own
/// memory (`VmHWM` in /proc/PID/status), read every 50 ms until it exits. Not `ru_maxrss` from
/// `wait4`/`RUSAGE_CHILDREN`: posix_spawn starts the child on the parent's memory (vfork), and
/// the kernel carries that high-water mark, the bench's own, over the exec.
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
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], timeout: Duration)
        async throws -> Exit
    {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("bench-child-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(atPath: out.path + ".out")
            try? FileManager.default.removeItem(atPath: out.path + ".err")
        }
        let started = ContinuousClock.now
        let pid = try spawn(
            executable, arguments, environment: environment, stdout: out.path + ".out", stderr: out.path + ".err")
        let killer = Task {
            try await Task.sleep(for: timeout)
            kill(pid, SIGKILL)
        }
        let sampler = Task {
            var peakKB = 0
            while !Task.isCancelled {
                peakKB = max(peakKB, highWaterKB(pid))
                try? await Task.sleep(for: .milliseconds(50))
            }
            return peakKB
        }
        let status = await reap(pid)
        killer.cancel()
        sampler.cancel()
        let peakKB = await sampler.value
        let wallTime = ContinuousClock.now - started
        let stdout = (try? String(contentsOfFile: out.path + ".out", encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: out.path + ".err", encoding: .utf8)) ?? ""
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + status & 0x7f
        return Exit(
            status: code, peakRSSBytes: peakKB * 1024, wallTime: wallTime, stdout: stdout,
            stderrTail: stderr.split(separator: "\n").suffix(5).joined(separator: " / "))
    }

    private static func spawn(
        _ executable: String, _ arguments: [String], environment: [String: String], stdout: String, stderr: String
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        let err = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard err == 0 else {
            throw BenchError(
                "cannot start \(executable): \(String(cString: strerror(err))); build it first (scripts/bench does)")
        }
        return pid
    }

    /// Waits for `pid` on a thread of its own, not one of the few of Swift's cooperative pool.
    private static func reap(_ pid: pid_t) async -> Int32 {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                continuation.resume(returning: status)
            }
        }
    }

    /// `VmHWM` of a running process in kB (0 once it has exited).
    private static func highWaterKB(_ pid: pid_t) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        return status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
            .flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
