import ArgumentParser
import Foundation
import Logging
import Metrics
import PlatformClient
import Prometheus
import SchemaRegistry
import SyncCore

/// Options every command that reads the configuration shares.
struct CommonOptions: ParsableArguments {
    @Option(help: "YAML configuration file (also $CONTACT_SYNC_CONFIG). See docs/configuration.md.")
    var config: String?

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp(
            "Set a configuration key, e.g. --set max_in_flight=128 (repeatable).", valueName: "key=value"))
    var settings: [String] = []

    @Option(
        name: .customLong("kafka-property"),
        help: ArgumentHelp(
            "Pass a librdkafka property, e.g. --kafka-property security.protocol=SASL_SSL (repeatable).",
            valueName: "name=value"))
    var kafkaProperties: [String] = []

    @Option(name: .customLong("bootstrap-servers"), help: "Kafka brokers (kafka.bootstrap_servers).")
    var bootstrapServers: String?

    @Option(name: .customLong("group-id"), help: "Consumer group (kafka.group_id).")
    var groupID: String?

    @Option(help: "Comma-separated topics to consume (topics).")
    var topics: String?

    @Option(name: .customLong("platform-url"), help: "The platform's base URL (platform.url).")
    var platformURL: String?

    @Flag(name: .customLong("log-pii"), help: "Log phone numbers and emails unmasked.")
    var logPII = false

    /// Flags as configuration keys, for the loader's highest-precedence layer, with the flag
    /// each came from as it was typed (so a bad value names a flag the command line has).
    func flagValues() throws -> [String: String] { try typedFlags().values }

    func typedFlags() throws -> (values: [String: String], typed: [String: String]) {
        var values: [String: String] = [:]
        var typed: [String: String] = [:]
        for pair in settings {
            // The value is never echoed: a misspelled `--set platform.tokn=…` carries a secret.
            guard let eq = pair.firstIndex(of: "=") else {
                throw ConfigError(
                    key: Redactor.looksSecret(pair) ? Redactor.marker : LogText.escaped(pair), source: "flag --set",
                    value: nil,
                    expected: "key=value with a key from docs/configuration.md")
            }
            let key = String(pair[..<eq])
            guard SettingKey.named(key) != nil else { throw ConfigError.unknownKey(key, source: "flag --set") }
            values[key] = String(pair[pair.index(after: eq)...])
            typed[key] = "--set \(key)"
        }
        for pair in kafkaProperties {
            guard let eq = pair.firstIndex(of: "=") else {
                throw ValidationError("--kafka-property \(pair): expected name=value")
            }
            values["kafka." + pair[..<eq]] = String(pair[pair.index(after: eq)...])
            typed["kafka." + pair[..<eq]] = "--kafka-property \(pair[..<eq])"
        }
        let dedicated: [(String, String, String?)] = [
            ("kafka.bootstrap_servers", "--bootstrap-servers", bootstrapServers),
            ("kafka.group_id", "--group-id", groupID), ("topics", "--topics", topics),
            ("platform.url", "--platform-url", platformURL), ("log.pii", "--log-pii", logPII ? "true" : nil),
        ]
        for case (let key, let flag, let value?) in dedicated {
            values[key] = value
            typed[key] = flag
        }
        return (values, typed)
    }

    /// The loader for these flags over `environment` (`nil`: the process's).
    func loader(environment: [String: String]? = nil) throws -> SettingsLoader {
        let flags = try typedFlags()
        var loader = SettingsLoader(flags: flags.values, environment: environment, configFile: config)
        loader.typedFlags = flags.typed
        return loader
    }

    func loadSettings() async throws -> Settings {
        try await loader().load()
    }
}

/// Process-wide logging and metrics, set up once by the command that runs.
enum Bootstrap {
    static let registry = PrometheusCollectorRegistry()

    static func logging(_ settings: Settings) {
        let tokens = settings.tokens
        let secrets = Redactor(properties: settings.kafkaProperties).secrets
        let registry = settings.schemaRegistry?.credentials ?? .none
        LoggingSystem.bootstrap { label in
            LineLogHandler(
                label: label, format: LineLogHandler.format(named: settings.logFormat), level: settings.logLevel,
                pii: settings.logPII, secrets: secrets,
                redact: { text in
                    registry.redacted(in: tokens.reduce(text) { $1.redacted(in: $0) })
                }
            )
        }
    }

    static func metrics() {
        MetricsSystem.bootstrap(WorkerMetrics.factory(registry: registry))
    }
}
