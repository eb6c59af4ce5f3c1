import ArgumentParser
import Testing

@testable import ContactSyncCLI

/// `contact-sync sandbox` options: parsed as documented, nonsense refused before starting.
@Suite struct SandboxCommandTests {
    @Test func parsesEveryOption() throws {
        let command = try ContactSyncCommand.parseAsRoot([
            "sandbox", "--host", "0.0.0.0", "--port", "8000", "--token", "t", "--latency-ms", "20",
            "--fail-rate", "0.25", "--rate-per-s", "5", "--throttle-reads", "--seed", "7", "--page-size", "10",
            "--flavor", "weni", "--throttle", "1200/m", "--flow-group", "Opted In",
        ])
        let sandbox = try #require(command as? SandboxCommand)
        #expect(sandbox.host == "0.0.0.0")
        #expect(sandbox.port == 8000)
        #expect(sandbox.resolvedToken == "t")
        #expect(sandbox.latencyMs == 20)
        #expect(sandbox.failRate == 0.25)
        #expect(sandbox.ratePerSecond == 5)
        #expect(sandbox.throttleReads)
        #expect(sandbox.seed == 7)
        #expect(sandbox.pageSize == 10)
        #expect(sandbox.flavor == "weni")
        #expect(sandbox.throttle == "1200/m")
        #expect(sandbox.flowGroup == "Opted In")
    }

    @Test func defaultsToAnEphemeralLoopbackPortWithoutFaults() throws {
        let sandbox = try SandboxCommand.parse(["--token", "t"])
        #expect(sandbox.host == "127.0.0.1")
        #expect(sandbox.port == 0)
        #expect(sandbox.failRate == 0)
        #expect(sandbox.ratePerSecond == nil)
        #expect(sandbox.flavor == "textit")
        #expect(sandbox.throttle == nil)
        #expect(sandbox.flowGroup == nil)
    }

    @Test func refusesNonsense() {
        for arguments in [
            ["--token", "t", "--fail-rate", "1.5"], ["--token", "t", "--port", "70000"],
            ["--token", "t", "--rate-per-s", "0"], ["--token", ""],
            ["--token", "t", "--flavor", "textit2"], ["--token", "t", "--throttle", "fast"],
            ["--token", "t", "--throttle", "0/s"],
        ] {
            #expect(throws: (any Error).self, "arguments \(arguments)") { try SandboxCommand.parse(arguments) }
        }
    }

    @Test func helpShowsAnExample() {
        #expect(SandboxCommand.helpMessage().contains("contact-sync sandbox --port 8000 --token dev-token"))
    }
}
