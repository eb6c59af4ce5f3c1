public import ArgumentParser

public struct ContactSyncCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "contact-sync",
        abstract: "Keeps a flow platform's contacts in sync with Kafka events.",
        subcommands: [SandboxCommand.self]
    )
    public init() {}
    public func run() async throws {
        print("contact-sync: not built yet")
    }
}
