import Foundation
import PlatformClient
import Testing

@testable import ContactSyncCLI

@Suite struct SettingsTests {
    func file(_ text: String) throws -> String { try temporaryFile(text) }

    @Test func flagsBeatEnvironmentBeatFileBeatDefaults() async throws {
        let path = try file(
            "max_in_flight: 10\nkafka:\n  bootstrap_servers: file:9092\n  group_id: from-file\ntopics: a,b\n")
        let env = ["CONTACT_SYNC_MAX_IN_FLIGHT": "20", "CONTACT_SYNC_KAFKA_GROUP_ID": "from-env"]
        let all = try await SettingsLoader(flags: ["max_in_flight": "30"], environment: env, configFile: path).load()
        #expect(all.maxInFlight == 30)
        #expect(all.groupID == "from-env")
        #expect(all.bootstrapServers == "file:9092")
        #expect(all.topics == ["a", "b"])
        let noFlag = try await SettingsLoader(environment: env, configFile: path).load()
        #expect(noFlag.maxInFlight == 20)
        let fileOnly = try await SettingsLoader(environment: [:], configFile: path).load()
        #expect(fileOnly.maxInFlight == 10)
        #expect(fileOnly.groupID == "from-file")
        let defaults = try await SettingsLoader(environment: [:]).load()
        #expect(defaults.maxInFlight == 64)
        #expect(defaults.bootstrapServers == "localhost:9092")
        #expect(defaults.dlqTopic == "contact-sync.dlq")
    }

    @Test func aBadValueNamesTheKeyItsSourceAndWhatIsExpected() async throws {
        let fromEnv = await #expect(throws: ConfigError.self) {
            _ = try await SettingsLoader(environment: ["CONTACT_SYNC_MAX_IN_FLIGHT": "abc"]).load()
        }
        #expect(
            fromEnv?.description
                == #"config error: max_in_flight = "abc" (from env CONTACT_SYNC_MAX_IN_FLIGHT): expected a whole number from 1 to 10000"#
        )
        let path = try file("retry:\n  max_attempts: 0\n")
        let fromFile = await #expect(throws: ConfigError.self) {
            _ = try await SettingsLoader(environment: [:], configFile: path).load()
        }
        #expect(
            fromFile?.description
                == #"config error: retry.max_attempts = "0" (from file \#(path): retry.max_attempts): expected a whole number from 1 to 1000"#
        )
        let fromFlag = await #expect(throws: ConfigError.self) {
            _ = try await SettingsLoader(flags: ["platform.url": "ftp://x"], environment: [:]).load()
        }
        // Without the typed flag (CommonOptions.loader gives it), a flag value is named as --set KEY.
        #expect(fromFlag?.description.contains("(from flag --set platform.url)") == true)
        let missingFile = await #expect(throws: ConfigError.self) {
            _ = try await SettingsLoader(environment: [:], configFile: "/nonexistent/config.yaml").load()
        }
        #expect(missingFile?.description.contains("/nonexistent/config.yaml") == true)
    }

    @Test func theTokenComesFromAFileAndIsNeverShown() async throws {
        let tokenPath = try file("s3cr3t-token-value\n")
        let settings = try await SettingsLoader(environment: [
            "CONTACT_SYNC_PLATFORM_TOKEN_FILE": tokenPath, "CONTACT_SYNC_PLATFORM_URL": "https://flows.example.com",
            "CONTACT_SYNC_KAFKA_SASL_PASSWORD": "kafka-pass-123",
        ]).load()
        let options = try settings.platformOptions()
        #expect(options.token.redacted(in: "x s3cr3t-token-value y") == "x <redacted> y")
        #expect(!settings.description.contains("s3cr3t"))
        #expect(!settings.description.contains("kafka-pass-123"))
        #expect(settings.kafka["sasl.password"] == "kafka-pass-123")
        let missing = #expect(throws: ConfigError.self) { _ = try Settings().platformOptions() }
        #expect(missing?.description.contains("platform.url") == true)
    }

    @Test func librdkafkaPropertiesPassThroughFromEverySource() async throws {
        let path = try file(
            "kafka:\n  bootstrap_servers: b:9092\n  security.protocol: SASL_SSL\n  fetch.wait.max.ms: \"50\"\n")
        let settings = try await SettingsLoader(
            flags: ["kafka.linger.ms": "7"], environment: ["CONTACT_SYNC_KAFKA_SASL_MECHANISM": "PLAIN"],
            configFile: path
        ).load()
        #expect(
            settings.kafka == [
                "bootstrap.servers": "b:9092", "security.protocol": "SASL_SSL", "fetch.wait.max.ms": "50",
                "sasl.mechanism": "PLAIN", "linger.ms": "7",
            ])
    }

    @Test func aBadMappingFileNamesFileLineAndKey() async throws {
        let mapping = try file("topics:\n  t:\n    format: nope\n")
        let error = await #expect(throws: (any Error).self) {
            _ = try await SettingsLoader(environment: ["CONTACT_SYNC_MAPPING_FILE": mapping]).load()
        }
        #expect(String(describing: error!).contains("\(mapping):3: topics.t.format"))
    }

    @Test func theReferenceDocumentsEveryKey() throws {
        let doc = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        for key in SettingKey.all {
            #expect(doc.contains("`\(key.name)`"), "docs/configuration.md lacks \(key.name)")
            #expect(doc.contains(key.environmentName), "docs/configuration.md lacks \(key.environmentName)")
        }
    }
}
