import ArgumentParser
import Foundation
import Kafka
import Logging

/// `contact-sync dev-broker`: librdkafka's mock cluster as a local Kafka for development.
struct DevBrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-broker",
        abstract: "Runs an in-process mock Kafka cluster on loopback and prints its bootstrap servers.",
        discussion: """
            Speaks the Kafka protocol (librdkafka's mock cluster): kcat, confluent-kafka and contact-sync \
            itself can use it. Topics are created here (the mock has no CreateTopics). Runs until SIGINT/SIGTERM.

            Examples:
              contact-sync dev-broker --topic customers:3 --topic customers.dlq --topic contact-sync.versions:3
              kcat -b $(cat /tmp/bootstrap) -L
            """
    )

    @Option(help: "Number of brokers.")
    var brokers = 1

    @Option(
        name: .customLong("topic"),
        help: ArgumentHelp("Topic to create, name[:partitions] (repeatable).", valueName: "name[:partitions]"))
    var topics: [String] = []

    func run() async throws {
        var logger = Logger(label: "dev-broker")
        logger.logLevel = .warning
        let cluster = try MockCluster(brokers: brokers, logger: logger)
        for spec in topics {
            let parts = spec.split(separator: ":")
            guard let name = parts.first, parts.count <= 2, let partitions = parts.count == 2 ? Int(parts[1]) : 1,
                partitions > 0
            else {
                throw ValidationError("--topic \(spec): expected name or name:partitions")
            }
            try cluster.createTopic(String(name), partitions: partitions)
            print("topic \(name) (\(partitions) partitions)")
        }
        print("bootstrap servers: \(cluster.bootstrapServers)")
        fflush(nil)  // scripts read this line while we run
        await waitForTerminationSignal()
        withExtendedLifetime(cluster) {}
    }
}

/// Returns when SIGINT or SIGTERM arrives.
func waitForTerminationSignal() async {
    signal(SIGINT, SIG_IGN)
    signal(SIGTERM, SIG_IGN)
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let once = OnceFlag()
        for number in [SIGINT, SIGTERM] {
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { if once.claim() { continuation.resume() } }
            source.resume()
            SignalSources.keep(source)
        }
    }
}

final class OnceFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    func claim() -> Bool {
        lock.withLock {
            defer { done = true }
            return !done
        }
    }
}

enum SignalSources {
    nonisolated(unsafe) static var sources: [any DispatchSourceSignal] = []
    static func keep(_ source: any DispatchSourceSignal) { sources.append(source) }
}
