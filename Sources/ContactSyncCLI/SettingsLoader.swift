import Configuration
import Foundation
import Logging
import PlatformClient
import SyncCore
import SyncWorker
import SystemPackage
import Yams

/// Reads the settings from flags, the environment and the YAML file (in that precedence, then
/// defaults) through swift-configuration's providers, remembering where each value came from
/// so that a bad one is reported with its source.
public struct SettingsLoader: Sendable {
    /// `key=value` pairs from the command line (`--set key=value` and dedicated flags).
    public var flags: [String: String]
    /// The flag each of `flags` was given with, as typed (`--set max_in_flight`,
    /// `--bootstrap-servers`); a key missing here is named as `--set KEY`.
    public var typedFlags: [String: String] = [:]
    public var environment: [String: String]
    public var configFile: String?

    /// - Parameter environment: `nil` reads the process environment (tests pass their own).
    public init(flags: [String: String] = [:], environment: [String: String]? = nil, configFile: String? = nil) {
        self.flags = flags
        self.environment = environment ?? ProcessInfo.processInfo.environment
        self.configFile = configFile
    }

    struct Layer {
        let provider: any ConfigProvider
        let describe: (SettingKey, String) -> String
        let prefix: [String]
    }

    public func load() async throws -> Settings {
        try EnvironmentCheck.check(environment)
        var layers: [Layer] = []
        let flagValues = Dictionary(
            uniqueKeysWithValues: flags.map {
                (
                    AbsoluteConfigKey($0.key.split(separator: ".").map(String.init)),
                    ConfigValue(.string($0.value), isSecret: SettingKey.named($0.key)?.isSecret ?? false)
                )
            })
        layers.append(
            Layer(
                provider: InMemoryProvider(name: "flags", values: flagValues),
                describe: { [typedFlags] key, _ in "flag \(typedFlags[key.name] ?? "--set \(key.name)")" }, prefix: []))
        layers.append(
            Layer(
                provider: EnvironmentVariablesProvider(
                    environmentVariables: environment,
                    secretsSpecifier: .specific([
                        "CONTACT_SYNC_PLATFORM_TOKEN", "CONTACT_SYNC_SCHEMA_REGISTRY_PASSWORD",
                        "CONTACT_SYNC_SCHEMA_REGISTRY_BEARER_TOKEN",
                    ])),
                describe: { key, _ in "env \(key.environmentName)" }, prefix: ["contact_sync"]))
        let file = configFile ?? environment["CONTACT_SYNC_CONFIG"]
        var fileText: String?
        if let file {
            fileText = try ConfigFile.read(file)
            let provider: FileProvider<YAMLSnapshot>
            do { provider = try await FileProvider<YAMLSnapshot>(filePath: FilePath(file)) } catch {
                throw ConfigError(
                    key: "config", source: "flag --config", value: file, expected: "valid YAML (\(error))")
            }
            layers.append(Layer(provider: provider, describe: { key, _ in "file \(file): \(key.name)" }, prefix: []))
            try ConfigFile.checkKeys(fileText ?? "", file: file)
        }
        let reader = Reader(layers: layers)
        var settings = Settings()
        settings.bootstrapServers = try reader.string("kafka.bootstrap_servers")
        guard !settings.bootstrapServers.isEmpty else { throw reader.error("kafka.bootstrap_servers", value: "") }
        settings.groupID = try reader.string("kafka.group_id")
        settings.topics = try reader.list("topics")
        settings.dlqTopic = try reader.string("dlq_topic")
        settings.versionsTopic = try reader.optionalString("versions_topic")
        settings.platformURL = try reader.optionalString("platform.url")
        if let url = settings.platformURL {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil
            else {
                throw reader.error("platform.url", value: url)
            }
        }
        // The token and the token file are one setting given two ways: the one from the higher
        // layer wins (flags, then the environment, then the file), the token within one layer.
        // An empty token (CONTACT_SYNC_PLATFORM_TOKEN= left in a manifest) does not count.
        let token = try reader.raw("platform.token").flatMap { $0.value.isEmpty ? nil : $0 }
        let tokenFile = try reader.raw("platform.token_file")
        let tokenLayer = token == nil ? nil : try reader.layerIndex("platform.token")
        let fileLayer = try reader.layerIndex("platform.token_file")
        if let token, tokenLayer ?? .max <= fileLayer ?? .max {
            settings.platformToken = APIToken(token.value)
            if let tokenFile {
                settings.notes.append(
                    "platform.token (\(token.source)) wins over platform.token_file (\(tokenFile.source))")
            }
        } else if let tokenFile {
            let path = tokenFile.value.trimmingCharacters(in: .whitespaces)
            settings.platformToken = APIToken(try TokenFile.read(path, source: tokenFile.source))
            if let token {
                settings.notes.append(
                    "platform.token_file (\(tokenFile.source)) wins over platform.token (\(token.source))")
            }
        }
        let flavorName = try reader.string("platform.flavor")
        guard let flavor = PlatformFlavor(rawValue: flavorName) else {
            throw reader.error("platform.flavor", value: flavorName)
        }
        settings.flavor = flavor
        switch try reader.optionalString("platform.field_spelling") {
        case "name_type"?: settings.fieldSpelling = .nameType
        case "label_value_type"?: settings.fieldSpelling = .labelValueType
        case nil: settings.fieldSpelling = nil
        case let other?: throw reader.error("platform.field_spelling", value: other)
        }
        // The older per-second cap becomes both budgets where they are not given.
        let legacyRate = try reader.optionalNumber("rate_limit_per_second", in: 0.001...1_000_000)
        let legacyBudget = legacyRate.map { RequestRate(requests: max(1, Int(($0 * 60).rounded())), per: .seconds(60)) }
        for (name, keyPath) in [
            ("platform.budget.contacts", \Settings.budgetContacts), ("platform.budget.v2", \Settings.budgetV2),
        ] {
            if let text = try reader.optionalString(name) {
                guard let rate = RequestRate(parsing: text) else { throw reader.error(name, value: text) }
                settings[keyPath: keyPath] = rate
            } else {
                settings[keyPath: keyPath] = legacyBudget ?? flavor.defaultBudget
            }
        }
        settings.managedGroups =
            try reader.optionalString("platform.managed_groups")
            .map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
            ?? []
        settings.maxPendingEntities = try reader.integer("backpressure.max_pending_entities", in: 1...10_000_000)
        settings.maxPendingBytes = try reader.integer("backpressure.max_pending_mb", in: 1...4096) << 20
        settings.requestTimeout = .milliseconds(
            Int64(try reader.number("platform.request_timeout_seconds", in: 0.1...300) * 1000))
        settings.maxInFlight = try reader.integer("max_in_flight", in: 1...10_000)
        settings.retry = RetryPolicy(
            maxAttempts: try reader.optionalNumber("retry.max_attempts", in: 1...1000).map { Int($0) } ?? .max,
            maxElapsed: .seconds(try reader.number("retry.max_elapsed_seconds", in: 1...86_400)),
            base: .milliseconds(try reader.integer("retry.base_ms", in: 1...60_000)),
            cap: .milliseconds(try reader.integer("retry.cap_ms", in: 1...600_000))
        )
        settings.readAhead = .milliseconds(try reader.integer("read_ahead_ms", in: 0...60_000))
        settings.commitInterval = .milliseconds(try reader.integer("commit_interval_ms", in: 10...60_000))
        settings.drainDeadline = .seconds(try reader.integer("drain_deadline_seconds", in: 0...3600))
        settings.outageThreshold = try reader.integer("outage_threshold", in: 2...10_000)
        if let mapping = try reader.optionalString("mapping_file") {
            guard let text = try? String(contentsOfFile: mapping, encoding: .utf8) else {
                throw reader.error("mapping_file", value: mapping)
            }
            settings.decoder = try DecoderConfiguration(mappingYAML: text, file: mapping)
            settings.mappingFile = mapping
        }
        if let code = try reader.optionalString("default_country_code") {
            guard !code.isEmpty, code.allSatisfy(\.isNumber) else {
                throw reader.error("default_country_code", value: code)
            }
            settings.decoder.defaultCountryCode = code
        }
        settings.httpHost = try reader.string("http.host")
        settings.httpPort = try reader.integer("http.port", in: 0...65_535)
        settings.logFormat = try reader.string("log.format")
        guard ["auto", "json", "text"].contains(settings.logFormat) else {
            throw reader.error("log.format", value: settings.logFormat)
        }
        let level = try reader.string("log.level")
        guard let parsedLevel = Logger.Level(rawValue: level) else { throw reader.error("log.level", value: level) }
        settings.logLevel = parsedLevel
        let pii = try reader.string("log.pii")
        guard let flag = Bool(pii) else { throw reader.error("log.pii", value: pii) }
        settings.logPII = flag
        if let id = try reader.optionalString("instance_id") { settings.instanceID = id }
        settings.stateDirectory = try reader.optionalString("state.dir")
        let refused = try reader.string("dead_letter.on_refused")
        guard let policy = RefusedWritePolicy(rawValue: refused) else {
            throw reader.error("dead_letter.on_refused", value: refused)
        }
        settings.deadLetterRefused = policy
        try readWorkspaces(into: &settings, reader: reader, fileText: fileText, file: file)
        settings.schemaRegistry = try reader.schemaRegistry()
        settings.kafkaProperties = try kafkaPassthrough(fileText: fileText, file: file)
        return settings
    }

    /// librdkafka properties under `kafka.`: flags `--kafka-property name=value` (as
    /// `kafka.<name>` here), `CONTACT_SYNC_KAFKA_<NAME>` and the file's `kafka:` section.
    func kafkaPassthrough(fileText: String?, file: String?) throws -> [String: String] {
        let own: Set<String> = ["bootstrap_servers", "group_id"]
        var properties: [String: String] = [:]
        if let fileText, let node = try? Yams.compose(yaml: fileText), let kafka = node.mapping?["kafka"]?.mapping {
            for (key, value) in kafka {
                guard let name = key.string, !own.contains(name) else { continue }
                guard let scalar = value.scalar?.string else {
                    throw ConfigError(
                        key: "kafka.\(name)", source: "file \(file ?? "")", value: nil,
                        expected: "a single value (librdkafka property \(name))")
                }
                properties[name] = scalar
            }
        }
        for (variable, value) in environment where variable.hasPrefix("CONTACT_SYNC_KAFKA_") {
            let name = variable.dropFirst("CONTACT_SYNC_KAFKA_".count).lowercased()
            guard !own.contains(name) else { continue }
            properties[name.replacingOccurrences(of: "_", with: ".")] = value
        }
        for (key, value) in flags where key.hasPrefix("kafka.") {
            let name = String(key.dropFirst("kafka.".count))
            if !own.contains(name) { properties[name] = value }
        }
        return properties
    }
}

/// Looks keys up layer by layer; the first layer holding a value wins and is named in errors.
struct Reader {
    let layers: [SettingsLoader.Layer]

    func raw(_ name: String) throws -> (value: String, source: String)? {
        let key = SettingKey.named(name)!
        let components = name.split(separator: ".").map(String.init)
        for layer in layers {
            let absolute = AbsoluteConfigKey(layer.prefix + components)
            for type in [ConfigType.string, .int, .double, .bool, .stringArray] {
                guard let result = try? layer.provider.value(forKey: absolute, type: type), let value = result.value
                else { continue }
                let text: String =
                    switch value.content {
                    case .string(let s): s
                    case .int(let i): String(i)
                    case .double(let d): String(d)
                    case .bool(let b): String(b)
                    case .stringArray(let items): items.joined(separator: ",")
                    default: ""
                    }
                return (text, layer.describe(key, result.encodedKey))
            }
        }
        return nil
    }

    /// Which layer holds `name` (0 is the highest: flags), `nil` when none does.
    func layerIndex(_ name: String) throws -> Int? {
        let components = name.split(separator: ".").map(String.init)
        for (index, layer) in layers.enumerated() {
            let absolute = AbsoluteConfigKey(layer.prefix + components)
            for type in [ConfigType.string, .int, .double, .bool, .stringArray] {
                if let result = try? layer.provider.value(forKey: absolute, type: type), result.value != nil {
                    return index
                }
            }
        }
        return nil
    }

    func error(_ name: String, value: String) -> ConfigError {
        let source = (try? raw(name))?.source ?? "default"
        let key = SettingKey.named(name)!
        return ConfigError(
            key: name, source: source, value: key.isSecret ? "<redacted>" : value, expected: key.expected)
    }

    func optionalString(_ name: String) throws -> String? {
        if let found = try raw(name) { return found.value.trimmingCharacters(in: .whitespaces) }
        return SettingKey.named(name)!.defaultValue
    }

    func string(_ name: String) throws -> String {
        guard let value = try optionalString(name) else {
            throw ConfigError(key: name, source: "not set", value: nil, expected: SettingKey.named(name)!.expected)
        }
        return value
    }

    func list(_ name: String) throws -> [String] {
        (try optionalString(name) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            !$0.isEmpty
        }
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int {
        let text = try string(name)
        guard let value = Int(text), range.contains(value) else { throw error(name, value: text) }
        return value
    }

    func number(_ name: String, in range: ClosedRange<Double>) throws -> Double {
        let text = try string(name)
        guard let value = Double(text), range.contains(value) else { throw error(name, value: text) }
        return value
    }

    func optionalNumber(_ name: String, in range: ClosedRange<Double>) throws -> Double? {
        guard let text = try optionalString(name) else { return nil }
        guard let value = Double(text), range.contains(value) else { throw error(name, value: text) }
        return value
    }
}
