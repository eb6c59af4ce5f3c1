import ArgumentParser
import Foundation
import Kafka
import Logging
import PlatformClient
import PlatformSandbox
import SchemaRegistry
import SyncCore
import SyncWorker

/// `contact-sync demo`: the whole job on an embedded default, no set-up.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract:
            "Runs the real worker against an in-process Kafka mock cluster and the platform sandbox, then prints what happened.",
        discussion: """
            Everything speaks real protocols on loopback: librdkafka's mock cluster over TCP, the sandbox over HTTP. \
            The sample holds creates, updates, a burst of edits, lead status changes, deletes, exact redeliveries, \
            late events and a few bad records, for two workspaces (tenants) of the platform, named by a `tenant` header.

            Examples:
              contact-sync demo
              contact-sync demo --latency-ms 50 --fail-rate 0.2     # a slow, flaky platform
              contact-sync demo --avro     # values as Confluent-framed Avro through a schema registry stand-in
            """
    )

    @Option(name: .customLong("latency-ms"), help: "Sandbox latency per request.")
    var latencyMs = 20

    @Option(name: .customLong("fail-rate"), help: "Fraction of sandbox requests answered 5xx (retried by the worker).")
    var failRate = 0.0

    @Option(help: "Customers in the sample.")
    var customers = 30

    @Flag(help: "Send the sample as Confluent-framed Avro, its schemas in a schema registry stand-in (default: JSON).")
    var avro = false

    func run() async throws {
        var quiet = Logger(label: "demo")
        quiet.logLevel = .critical
        let started = ContinuousClock.now
        print("contact-sync demo: starting a Kafka mock cluster and the platform sandbox on loopback…")
        let cluster = try MockCluster(brokers: 1, logger: quiet)
        let group = "contact-sync-demo"
        for (topic, partitions) in [("customers", 3), ("leads", 3), ("\(group).dlq", 1), ("\(group).versions", 3)] {
            try cluster.createTopic(topic, partitions: partitions)
        }
        var options = SandboxOptions(token: "demo-token")
        options.chaos = SandboxChaos(latencyMs: latencyMs, failRate: failRate)
        let second = SandboxWorkspace(
            name: SampleEvents.secondWorkspace, token: "demo-token-2",
            chaos: SandboxChaos(latencyMs: latencyMs, failRate: failRate))
        options.workspaces = [second]
        let sandbox = try await Sandbox.start(options, logger: quiet)
        print("  kafka (mock cluster): \(cluster.bootstrapServers)")
        print(
            "  platform (sandbox):   \(sandbox.baseURL)/api/v2/  (workspaces \(SampleEvents.firstWorkspace) and \(second.name), latency \(latencyMs) ms, 5xx rate \(failRate))"
        )

        let registry = avro ? try await SchemaRegistryStandIn.start(logger: quiet) : nil
        let framer = registry.map { AvroFramer(registry: .init(url: $0.baseURL)) }
        if let registry { print("  schema registry:      \(registry.baseURL)  (stand-in)") }

        let events = SampleEvents.make(customers: customers) + SampleEvents.makeSecondWorkspace()
        let producer = try KafkaProducer(properties: ["bootstrap.servers": cluster.bootstrapServers], logger: quiet)
        for event in events {
            let value = Array(event.value.utf8)
            let framed = try await framer?.frame(value, topic: event.topic)
            try await producer.send(
                topic: event.topic, key: Array(event.key.utf8), value: framed ?? value,
                headers: [KafkaHeader("tenant", event.workspace)])
        }
        await producer.close()
        if let framer {
            await framer.shutdown()
            print(
                "  produced \(events.count) events to customers and leads, values as Avro (\(await framer.registered) schemas)"
            )
        } else {
            print("  produced \(events.count) events to customers and leads")
        }

        var decoder = DecoderConfiguration(defaultCountryCode: "55")
        decoder.extPrefixes = ["customer": "", "lead": "lead-"]
        decoder.workspaceFrom = .header("tenant")
        var configuration = WorkerConfiguration(
            kafka: ["bootstrap.servers": cluster.bootstrapServers], groupID: group, topics: ["customers", "leads"],
            deadLetterTopic: "\(group).dlq", decoder: decoder, maxInFlight: 32,
            retry: RetryPolicy(maxAttempts: 10, base: .milliseconds(20), cap: .seconds(1)),
            commitInterval: .milliseconds(250),
            untilCaughtUp: true, instanceID: "demo"
        )
        configuration.schemaRegistry = registry.map { .init(url: $0.baseURL) }
        configuration.workspaces = [
            (SampleEvents.firstWorkspace, "demo-token"), (second.name, second.token),
        ].map { name, token in
            WorkspaceConfiguration(
                name: name,
                platform: .init(baseURL: sandbox.baseURL, token: APIToken(token), requestTimeout: .seconds(5)))
        }
        let worker = Worker(
            configuration: configuration,
            platform: .init(baseURL: sandbox.baseURL, token: APIToken("demo-token"), requestTimeout: .seconds(5)),
            logger: quiet)
        print("  running the worker until it has caught up…\n")
        let applyStarted = ContinuousClock.now
        let run = Task { try await worker.run() }
        let watchdog = Task {
            try await Task.sleep(for: .seconds(50))
            worker.stop()
        }
        try await run.value
        watchdog.cancel()
        let applyTime = ContinuousClock.now - applyStarted
        let snapshot = worker.status.snapshot
        let stats = sandbox.stats()
        let state = sandbox.state()
        let others = [(second.name, sandbox.stats(workspace: second.name), sandbox.state(workspace: second.name))]
        await sandbox.shutdown()
        await registry?.shutdown()
        print(
            DemoReport(
                events: events.count, snapshot: snapshot, stats: stats, state: state,
                workspace: SampleEvents.firstWorkspace, others: others, applyTime: applyTime,
                totalTime: ContinuousClock.now - started
            ).text)
        withExtendedLifetime(cluster) {}
        if !snapshot.caughtUp { throw ExitCode(1) }
    }
}
