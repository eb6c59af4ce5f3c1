import ArgumentParser
import Foundation
import PlatformClient
import Testing

@testable import ContactSyncCLI

/// One value given in several places: flags win over the environment, the environment over the
/// file, the file over the defaults (docs/configuration.md), and a bad value is reported from
/// the place that won, never from one that lost.
@Suite struct ConfigPrecedenceTests {
    func file(_ text: String) throws -> String { try temporaryFile(text) }

    /// The command line as `contact-sync run` reads it, through `CommonOptions`.
    func load(_ arguments: [String], environment: [String: String]) async throws -> Settings {
        try await CommonOptions.parse(arguments).loader(environment: environment).load()
    }

    @Test func everyKindOfKeyFollowsTheDocumentedOrder() async throws {
        let yaml = """
            topics: from-file
            max_in_flight: 10
            dlq_topic: file.dlq
            kafka:
              group_id: file-group
              linger.ms: "1"
              client.id: file-client
              fetch.wait.max.ms: "30"
            """
        let path = try file(yaml)
        let environment = [
            "CONTACT_SYNC_TOPICS": "from-env", "CONTACT_SYNC_MAX_IN_FLIGHT": "20",
            "CONTACT_SYNC_KAFKA_GROUP_ID": "env-group",
            "CONTACT_SYNC_KAFKA_LINGER_MS": "2", "CONTACT_SYNC_KAFKA_CLIENT_ID": "env-client",
        ]
        let settings = try await load(
            [
                "--config", path, "--topics", "from-flag", "--set", "max_in_flight=30", "--kafka-property",
                "linger.ms=3",
            ], environment: environment)
        #expect(settings.topics == ["from-flag"], "a dedicated flag over the environment and the file")
        #expect(settings.maxInFlight == 30, "--set over the environment and the file")
        #expect(settings.groupID == "env-group", "the environment over the file")
        #expect(settings.dlqTopic == "file.dlq", "the file over the default")
        #expect(settings.kafka["linger.ms"] == "3", "--kafka-property over both")
        #expect(settings.kafka["client.id"] == "env-client", "a librdkafka property: the environment over the file")
        #expect(settings.kafka["fetch.wait.max.ms"] == "30")
    }

    @Test func theConfigFlagWinsOverTheConfigVariable() async throws {
        let flagged = try file("kafka:\n  group_id: named-by-flag\n")
        let variable = try file("kafka:\n  group_id: named-by-env\n")
        let settings = try await load(["--config", flagged], environment: ["CONTACT_SYNC_CONFIG": variable])
        #expect(settings.groupID == "named-by-flag")
        #expect(try await load([], environment: ["CONTACT_SYNC_CONFIG": variable]).groupID == "named-by-env")
    }

    /// A value that lost is never read, so it cannot stop start-up; the one that won is
    /// reported with its own source.
    @Test func aBadValueIsReportedFromThePlaceThatWon() async throws {
        let badFile = try file("max_in_flight: many\n")
        let fixedByEnv = try await load(["--config", badFile], environment: ["CONTACT_SYNC_MAX_IN_FLIGHT": "12"])
        #expect(fixedByEnv.maxInFlight == 12)
        let fixedByFlag = try await load(
            ["--set", "max_in_flight=13"], environment: ["CONTACT_SYNC_MAX_IN_FLIGHT": "lots"])
        #expect(fixedByFlag.maxInFlight == 13)

        let goodFile = try file("max_in_flight: 5\n")
        let fromEnv = await #expect(throws: ConfigError.self) {
            _ = try await load(["--config", goodFile], environment: ["CONTACT_SYNC_MAX_IN_FLIGHT": "lots"])
        }
        #expect(
            fromEnv?.description
                == #"config error: max_in_flight = "lots" (from env CONTACT_SYNC_MAX_IN_FLIGHT): expected a whole number from 1 to 10000"#
        )
        let fromFlag = await #expect(throws: ConfigError.self) {
            _ = try await load(
                ["--platform-url", "ftp://flows"],
                environment: ["CONTACT_SYNC_PLATFORM_URL": "https://flows.example.com"])
        }
        #expect(
            fromFlag?.description
                == #"config error: platform.url = "ftp://flows" (from flag --platform-url): expected an http(s) URL"#)
    }

    /// The flag named in the report must be one the command line has: `--set max_in_flight=0`
    /// was typed, and `contact-sync run --max-in-flight` does not exist.
    @Test
    func aBadFlagValueNamesTheFlagThatWasTyped() async throws {
        let set = await #expect(throws: ConfigError.self) {
            _ = try await load(["--set", "max_in_flight=0"], environment: ["CONTACT_SYNC_MAX_IN_FLIGHT": "7"])
        }
        #expect(set?.description.contains("(from flag --set max_in_flight)") == true, "\(String(describing: set))")
        let dedicated = await #expect(throws: ConfigError.self) {
            _ = try await load(["--bootstrap-servers", ""], environment: [:])
        }
        #expect(
            dedicated?.description.contains("(from flag --bootstrap-servers)") == true,
            "\(String(describing: dedicated))")
    }

    /// `platform.token` and `platform.token_file` name one secret: a non-empty token is used and
    /// the file is not even read; an empty token counts as unset (docs/configuration.md).
    @Test func theTokenBeatsTheTokenFileUnlessItIsEmpty() async throws {
        let tokenFile = try file("from-the-file\n")
        let both = try await load(
            [], environment: ["CONTACT_SYNC_PLATFORM_TOKEN": "from-env", "CONTACT_SYNC_PLATFORM_TOKEN_FILE": tokenFile])
        #expect(both.platformToken?.redacted(in: "from-env") == "<redacted>")
        let unreadable = try await load(
            [],
            environment: [
                "CONTACT_SYNC_PLATFORM_TOKEN": "from-env", "CONTACT_SYNC_PLATFORM_TOKEN_FILE": "/nonexistent",
            ])
        #expect(unreadable.platformToken?.redacted(in: "from-env") == "<redacted>", "the losing file is not read")
        let empty = try await load(
            [], environment: ["CONTACT_SYNC_PLATFORM_TOKEN": "", "CONTACT_SYNC_PLATFORM_TOKEN_FILE": tokenFile])
        #expect(empty.platformToken?.redacted(in: "from-the-file") == "<redacted>")
        let flagged = try await load(
            ["--set", "platform.token=from-flag"], environment: ["CONTACT_SYNC_PLATFORM_TOKEN": "from-env"])
        #expect(flagged.platformToken?.redacted(in: "from-flag") == "<redacted>")
        #expect(flagged.platformToken?.redacted(in: "from-env") == "from-env")

        let missing = await #expect(throws: ConfigError.self) {
            _ = try await load(
                [],
                environment: [
                    "CONTACT_SYNC_PLATFORM_TOKEN": "", "CONTACT_SYNC_PLATFORM_TOKEN_FILE": "/nonexistent/token",
                ])
        }
        // The path is named (it is no secret, and an error hiding it cannot be acted on).
        #expect(
            missing?.description
                == #"config error: platform.token_file = "/nonexistent/token" (from env CONTACT_SYNC_PLATFORM_TOKEN_FILE): expected a readable file holding the API token; there is no file at this path (is the Secret mounted there?)"#
        )
    }

    /// The deployment points `CONTACT_SYNC_PLATFORM_TOKEN_FILE` at the mounted Secret; a
    /// `platform.token` left in the configuration file must not silently replace it.
    @Test
    func theEnvironmentsTokenFileBeatsATokenInTheFile() async throws {
        let tokenFile = try file("from-the-secret\n")
        let config = try file("platform:\n  token: left-in-the-file\n")
        let settings = try await load(
            ["--config", config], environment: ["CONTACT_SYNC_PLATFORM_TOKEN_FILE": tokenFile])
        #expect(settings.platformToken?.redacted(in: "from-the-secret") == "<redacted>")
        #expect(
            settings.notes == [
                "platform.token_file (env CONTACT_SYNC_PLATFORM_TOKEN_FILE) wins over platform.token (file \(config): platform.token)"
            ], "the clash is reported at start-up")
        // Within one layer the token wins, and says so.
        let both = try await load(
            ["--config", config],
            environment: ["CONTACT_SYNC_PLATFORM_TOKEN_FILE": tokenFile, "CONTACT_SYNC_PLATFORM_TOKEN": "from-env"])
        #expect(both.platformToken?.redacted(in: "from-env") == "<redacted>")
        #expect(both.notes.count == 1)
    }
}
