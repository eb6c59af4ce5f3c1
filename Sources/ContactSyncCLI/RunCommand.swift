import ArgumentParser
import Foundation
import Hummingbird
import Logging
import PlatformClient
import SchemaRegistry
import ServiceLifecycle
import SyncCore
import SyncWorker
import UnixSignals

/// `contact-sync run`: the worker, with /healthz, /readyz and /metrics.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Runs the worker: consume, apply to the platform, dead-letter, commit.",
        discussion: """
            Stops gracefully on SIGTERM or SIGINT: stops fetching, drains in-flight work (drain_deadline_seconds), \
            commits, leaves the group and flushes the producer.

            Examples:
              contact-sync run --config config.yaml
              CONTACT_SYNC_TOPICS=customers,leads CONTACT_SYNC_PLATFORM_URL=https://flows.example.com \\
                CONTACT_SYNC_PLATFORM_TOKEN_FILE=/run/secrets/token contact-sync run
              contact-sync run --config config.yaml --until-caught-up     # backfills, replays, CI
            """
    )

    @OptionGroup var common: CommonOptions

    @Flag(
        name: .customLong("until-caught-up"),
        help: "Exit 0 once everything in the topics at start is applied and committed.")
    var untilCaughtUp = false

    func run() async throws {
        let settings = try await loadOrExit(common)
        Bootstrap.logging(settings)
        Bootstrap.metrics()
        let logger = Logger(label: "contact-sync")
        // Every configuration error exits 2, these late ones as the loader's.
        let platform: PlatformClient.Options
        do {
            guard !settings.topics.isEmpty else {
                throw ConfigError(
                    key: "topics", source: "not set (flag --topics, env CONTACT_SYNC_TOPICS or file)", value: nil,
                    expected: "comma-separated topic names")
            }
            platform = try settings.platformOptions()
            try PortCheck.ensureFree(host: settings.httpHost, port: settings.httpPort)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(2)
        }
        WorkerMetrics.exportAtStart(
            startedAt: Date(), deadLetterTopic: settings.dlqTopic,
            versionsTopic: settings.versionsTopic ?? "\(settings.groupID).versions",
            policy: settings.deadLetterRefused.rawValue, workspaces: settings.workspaces.map(\.name))
        let worker = Worker(
            configuration: settings.workerConfiguration(untilCaughtUp: untilCaughtUp), platform: platform,
            logger: logger)
        let http = ObservabilityServer.application(
            host: settings.httpHost, port: settings.httpPort, status: worker.status,
            registry: Bootstrap.registry, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: worker, successTerminationBehavior: .gracefullyShutdownGroup),
                    .init(service: http),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            ))
        logger.info("starting", metadata: ["settings": "\(settings)", "version": "\(BuildInfo.versionLine)"])
        if settings.managedGroups.isEmpty {
            logger.notice(
                "platform.managed_groups is empty: groups events name are added to contacts and never removed; each such group is logged once as it is met"
            )
        }
        for note in settings.notes { logger.notice("configuration given twice", metadata: ["resolved": "\(note)"]) }
        do {
            try await group.run()
        } catch {
            // Fatal errors reach the terminal: the same redaction as the logs, then exit 1.
            var text = (settings.schemaRegistry?.credentials ?? .none).redacted(
                in: Redactor(properties: settings.kafkaProperties).callAsFunction("\(error)"))
            if text.contains("Address already in use") {  // taken between PortCheck and the server's bind
                text =
                    "http.port \(settings.httpPort) on \(settings.httpHost) is in use by another process (\(text)): set http.port to a free port"
            }
            FileHandle.standardError.write(
                Data("contact-sync: \(LogText.escaped(settings.tokens.reduce(text) { $1.redacted(in: $0) }))\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// Loads the settings, turning a configuration problem into its one-line message and exit 2.
func loadOrExit(_ common: CommonOptions) async throws -> Settings {
    do {
        return try await common.loadSettings()
    } catch let error as ConfigError {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        throw ExitCode(2)
    } catch let error as ValidationError {
        FileHandle.standardError.write(
            Data("config error: \(LogText.escaped(Redactor.scrubShapes(error.message)))\n".utf8))
        throw ExitCode(2)
    } catch let error as SyncCoreMappingError {
        FileHandle.standardError.write(Data("config error: mapping file \(error)\n".utf8))
        throw ExitCode(2)
    }
}

typealias SyncCoreMappingError = MappingFileError
