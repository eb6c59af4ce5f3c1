import ArgumentParser
import Testing

@testable import ContactSyncCLI

@Suite struct HelpTests {
    @Test func theRootListsEveryCommand() {
        let help = ContactSyncCommand.helpMessage()
        for name in ["run", "demo", "sandbox", "dev-broker", "produce", "check", "dlq"] {
            #expect(help.contains(name), "\(name)")
        }
    }

    @Test(arguments: [
        ["run"], ["demo"], ["sandbox"], ["dev-broker"], ["produce"], ["check"], ["dlq", "inspect"], ["dlq", "replay"],
    ])
    func everyCommandHasHelpWithAnExample(path: [String]) throws {
        let help = ContactSyncCommand.helpMessage(for: try command(path))
        #expect(help.contains("Example"), "\(path) help lacks an example")
        #expect(help.contains("contact-sync \(path.joined(separator: " "))"))
    }

    func command(_ path: [String]) throws -> any ParsableCommand.Type {
        var current: any ParsableCommand.Type = ContactSyncCommand.self
        for name in path {
            current = try #require(current.configuration.subcommands.first { $0.configuration.commandName == name })
        }
        return current
    }
}
