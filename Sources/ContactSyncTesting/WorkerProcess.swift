public import Foundation
import Kafka
import PlatformSandbox

/// The real `contact-sync run` binary as a child of this process, configured only through its
/// `CONTACT_SYNC_*` environment and pointed at a harness: what the chaos suite, the crash tests
/// and the bench's memory rows run.
public struct WorkerProcess: Sendable {
    /// What tests run the binary with unless they say otherwise: commits every 100 ms, short
    /// sessions (a killed member's partitions wait for its session to expire), no client-side
    /// budget (the sandbox throttles nothing unless a test says so), only critical logs.
    public static let quick: [String: String] = [
        "CONTACT_SYNC_MAX_IN_FLIGHT": "8", "CONTACT_SYNC_COMMIT_INTERVAL_MS": "100",
        "CONTACT_SYNC_KAFKA_SESSION_TIMEOUT_MS": "6000", "CONTACT_SYNC_KAFKA_HEARTBEAT_INTERVAL_MS": "500",
        "CONTACT_SYNC_PLATFORM_BUDGET_CONTACTS": "0", "CONTACT_SYNC_PLATFORM_BUDGET_V2": "0",
        "CONTACT_SYNC_LOG_LEVEL": "critical",
    ]

    public let harness: WorkerHarness
    public let group: String
    /// The child's whole environment: nothing of this process's is passed on, so a developer's
    /// own `CONTACT_SYNC_*` variables cannot change a test.
    public let environment: [String: String]
    /// A file the children append their output to, or nil to discard it.
    public let log: String?

    /// - Parameter settings: over the connection to the harness (brokers, group, topics, the
    ///   sandbox and its token, the health port on loopback, chosen by the system).
    public init(harness: WorkerHarness, group: String, settings: [String: String] = quick, log: String? = nil) throws {
        try harness.prepare(group: group)
        self.harness = harness
        self.group = group
        self.log = log
        environment = [
            "CONTACT_SYNC_KAFKA_BOOTSTRAP_SERVERS": harness.cluster.bootstrapServers,
            "CONTACT_SYNC_KAFKA_GROUP_ID": group, "CONTACT_SYNC_TOPICS": harness.topic,
            "CONTACT_SYNC_DLQ_TOPIC": harness.dlq, "CONTACT_SYNC_PLATFORM_URL": harness.sandbox.baseURL,
            "CONTACT_SYNC_PLATFORM_TOKEN": WorkerHarness.token, "CONTACT_SYNC_HTTP_HOST": "127.0.0.1",
            "CONTACT_SYNC_HTTP_PORT": "0",
        ].merging(settings) { $1 }
    }

    /// Where this executable lies: `swift build` puts every product of a build side by side.
    public static let executableDirectory: URL = {
        let path =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: path).resolvingSymlinksInPath().deletingLastPathComponent()
    }()

    /// `contact-sync` of the same build as this executable, or nil when it is not built. A few
    /// levels up too: a test bundle's executable lies inside the bundle.
    public static let binary: URL? = {
        var directory = executableDirectory
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("contact-sync")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory),
                !isDirectory.boolValue, FileManager.default.isExecutableFile(atPath: candidate.path)
            {
                return candidate
            }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }()

    /// Starts the binary (`run --until-caught-up` unless told) with `extra` over the environment.
    public func start(_ arguments: [String] = ["run", "--until-caught-up"], extra: [String: String] = [:]) throws
        -> Process
    {
        let process = try process(arguments, extra: extra)
        if let log {
            // O_APPEND: several children may write the same log at once without overwriting.
            // A named instance (and its restarts) gets a file of its own beside it: its lines
            // do not say which instance wrote them.
            let path = extra["CONTACT_SYNC_INSTANCE_ID"].map { "\(log).\(group).\($0)" } ?? log
            let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
            let handle = descriptor >= 0 ? FileHandle(fileDescriptor: descriptor, closeOnDealloc: true) : nil
            process.standardOutput = handle
            process.standardError = handle
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        return process
    }

    /// The binary with `arguments` and `extra` over the environment, not started yet.
    func process(_ arguments: [String], extra: [String: String]) throws -> Process {
        guard let binary = Self.binary else { throw WorkerProcessError.notBuilt(Self.executableDirectory.path) }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = environment.merging(extra) { $1 }
        return process
    }

    /// Waits for a child to exit on its own, killing it once `deadline` has passed. Returns
    /// whether it exited with status 0 (with `--until-caught-up`: caught up).
    public static func waitForExit(_ process: Process, deadline: Duration = .seconds(180)) async throws -> Bool {
        let end = ContinuousClock.now + deadline
        while process.isRunning, ContinuousClock.now < end { try await Task.sleep(for: .milliseconds(100)) }
        if process.isRunning {
            killNine(process)
            return false
        }
        return process.terminationReason == .exit && process.terminationStatus == 0
    }

    /// Starts a run and waits for it to catch up and exit (see `waitForExit`).
    public func runToEnd(extra: [String: String] = [:], deadline: Duration = .seconds(180)) async throws -> Bool {
        try await Self.waitForExit(try start(extra: extra), deadline: deadline)
    }

    /// SIGKILL: the process gets no chance to drain, commit or leave its group.
    public static func killNine(_ process: Process) {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

public enum WorkerProcessError: Error, CustomStringConvertible {
    case notBuilt(String)

    public var description: String {
        switch self {
        case .notBuilt(let directory):
            "no contact-sync binary next to \(directory): build the contact-sync product first (swift build --product contact-sync)"
        }
    }
}
