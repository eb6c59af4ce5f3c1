import ContactSyncTesting
import Foundation

/// Tansu (Apache-2.0, a Kafka-compatible broker; `scripts/tansu` installs it) as a child of this
/// process on a loopback port with memory storage: an independent broker, so a scenario is not
/// judged only against librdkafka's mock, whose coordinator ignores LeaveGroup and refuses
/// commits while it prepares a rebalance.
///
/// Two facts bind its clients (measured on Tansu 0.6.0): librdkafka 2.0.2 (Debian 12) cannot
/// parse its ApiVersions reply, so this process and the workers must run on a newer one
/// (`scripts/tansu` provides 2.16 and `LD_LIBRARY_PATH`); and with memory storage a partition's
/// high watermark is its last batch's base offset + 1, so every producer there sends one record
/// a batch (`producerProperties`), or readers that stop at the watermark miss records.
final class TansuBroker: Sendable {
    /// Where `scripts/tansu` says the binary is.
    static let binaryVariable = "CHAOS_TANSU_BIN"
    static let producerProperties = ["batch.num.messages": "1"]

    let bootstrapServers: String
    private let process: Process

    /// Starts the broker and waits until it accepts connections.
    init(name: String) async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let binary = environment[Self.binaryVariable], FileManager.default.isExecutableFile(atPath: binary)
        else {
            throw TansuError(
                "\(Self.binaryVariable) does not name the tansu binary: run through `scripts/chaos --broker tansu` (which runs scripts/tansu)"
            )
        }
        let version = TopicCreator.librdkafkaVersion
        guard !version.hasPrefix("2.0.") && !version.hasPrefix("1.") else {
            throw TansuError(
                "this process runs on librdkafka \(version), which cannot parse Tansu's ApiVersions reply: put scripts/tansu's librdkafka first in LD_LIBRARY_PATH"
            )
        }
        let port = try unusedLoopbackPort()
        let url = "tcp://127.0.0.1:\(port)"
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "broker", "--listener-url", url, "--advertised-listener-url", url, "--storage-engine", "memory://tansu/",
            "--cluster-id", "chaos-\(name)",
        ]
        process.environment = ["PATH": "/usr/bin:/bin"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        bootstrapServers = "127.0.0.1:\(port)"
        let end = ContinuousClock.now + .seconds(10)
        while !Self.accepts(port: port) {
            guard process.isRunning, ContinuousClock.now < end else {
                stop()
                throw TansuError("tansu did not listen on \(bootstrapServers) within 10 s")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func createTopics(_ topics: [TopicCreator.Topic]) throws {
        try TopicCreator.create(topics, bootstrapServers: bootstrapServers)
    }

    /// SIGKILL to the broker this object started, then waits for it: Tansu 0.6.0 ignores SIGTERM
    /// and SIGINT (seen here), and with memory storage there is nothing to flush.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Whether a TCP connection to the port succeeds now.
    private static func accepts(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

struct TansuError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
