import ArgumentParser

/// `contact-sync dlq`: inspect and replay the dead-letter topic.
struct DLQCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq",
        abstract: "Inspects and replays the dead-letter topic.",
        subcommands: [DLQInspectCommand.self, DLQReplayCommand.self]
    )
}
