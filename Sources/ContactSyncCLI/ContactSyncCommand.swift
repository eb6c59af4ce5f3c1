public import ArgumentParser

/// `contact-sync`: the root command.
public struct ContactSyncCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "contact-sync",
        abstract: "Keeps a flow platform's contacts (RapidPro, TextIt, Weni Flows) in sync with Kafka events.",
        discussion: """
            Start with `contact-sync demo`: a mock Kafka cluster, the platform sandbox and the real worker, \
            all in this process, with a summary at the end.

            Examples:
              contact-sync demo
              contact-sync run --config /etc/contact-sync/config.yaml
              CONTACT_SYNC_PLATFORM_TOKEN_FILE=/run/secrets/token contact-sync run --topics customers,leads
              contact-sync dlq inspect --config config.yaml --reason invalid_urn
            """,
        version: BuildInfo.versionLine,
        subcommands: [
            RunCommand.self, DemoCommand.self, SandboxCommand.self, DevBrokerCommand.self, ProduceCommand.self,
            CheckCommand.self, DLQCommand.self, ResyncCommand.self,
        ]
    )

    public init() {}
}
