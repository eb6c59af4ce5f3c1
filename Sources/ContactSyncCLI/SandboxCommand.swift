public import ArgumentParser
import Foundation
import Logging
import PlatformSandbox
import ServiceLifecycle
import UnixSignals

/// `contact-sync sandbox`: the platform stand-in as its own process, for demos, benchmarks and
/// the official Python client's check. Prints its base URL, runs until SIGINT or SIGTERM.
public struct SandboxCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Runs a RapidPro-style API v2 sandbox (contacts, fields, groups) with optional faults.",
        discussion: """
            Prints its base URL (the API is under /api/v2/), then serves until SIGINT or SIGTERM. \
            Without a token: GET /_sandbox/state and /_sandbox/stats show its contacts, fields, \
            groups and per-endpoint call counts; GET or POST /_sandbox/chaos reads or changes the \
            faults while it runs (latencyMs, failRate, ratePerSecond, throttleReads, rejectAllTokens); \
            GET or POST /_sandbox/throttle the platform's budget ({"contacts": "20/s", "v2": null}); \
            POST /_sandbox/flow {"groupOnCreate": "Opted In"} puts new contacts in a group as a trigger \
            flow would; POST /_sandbox/contacts/status {"contact": <uuid or urn>, "status": "stopped"}.

            Examples:
              contact-sync sandbox --port 8000 --token dev-token
              contact-sync sandbox --token t --fail-rate 0.05 --rate-per-s 10 --seed 7
              contact-sync sandbox --token t --flavor weni --throttle 2500/h
              contact-sync sandbox --token t --throttle 20/s --flow-group "Opted In"
              contact-sync sandbox --token t --workspace globex:globex-token:60/m   # a second workspace, its own token and budget
              curl -H 'Authorization: Token dev-token' localhost:8000/api/v2/contacts.json
              curl -d '{"failRate": 1}' localhost:8000/_sandbox/chaos
              contact-sync sandbox --token t --registry-port 8081   # and a schema registry for produce --avro
            """
    )

    @Option(help: "Interface to bind.")
    var host = "127.0.0.1"

    @Option(help: "Port to bind; 0 picks a free one (the printed URL tells which).")
    var port = 0

    @Option(help: "API token clients must send as 'Authorization: Token <token>' (default: $\(Self.tokenVariable)).")
    var token: String?

    /// Where the token comes from when `--token` is not given, keeping it out of `ps` listings.
    static let tokenVariable = "CONTACT_SYNC_SANDBOX_TOKEN"

    /// The token to accept: `--token`, else the environment variable.
    var resolvedToken: String? {
        (token ?? ProcessInfo.processInfo.environment[Self.tokenVariable]).flatMap { $0.isEmpty ? nil : $0 }
    }

    @Option(name: .customLong("latency-ms"), help: "Delay added to every API request, in milliseconds.")
    var latencyMs = 0

    @Option(name: .customLong("fail-rate"), help: "Fraction (0-1) of API requests answered with a 5xx.")
    var failRate = 0.0

    @Option(name: .customLong("rate-per-s"), help: "Write requests allowed per second; past it 429 with Retry-After.")
    var ratePerSecond: Double?

    @Flag(name: .customLong("throttle-reads"), help: "Count reads against --rate-per-s too.")
    var throttleReads = false

    @Option(help: "Platform to reproduce: textit (current RapidPro), rapidpro9 or weni.")
    var flavor: String = SandboxFlavor.textit.rawValue

    @Option(
        help:
            "The platform's request budget per scope (v2.contacts and v2 each), as DRF writes it: N/s, N/m, N/h (e.g. 3600/h, 20/s). Absent: unlimited."
    )
    var throttle: String?

    @Option(
        name: .customLong("flow-group"), help: "Put every newly created contact in this group, as a trigger flow would."
    )
    var flowGroup: String?

    @Option(help: "Seed of the fault draws, so a failure pattern repeats.")
    var seed: UInt64 = 1

    @Option(name: .customLong("page-size"), help: "Results per list page.")
    var pageSize = 250

    @Option(
        name: .customLong("registry-port"),
        help: "Also serve a schema registry stand-in (in memory) on this port, 0 for any free one.")
    var registryPort: Int?

    @Option(
        name: .customLong("workspace"),
        help:
            "Another workspace beside the first, opened by its own token, with its own contacts, faults and budget: NAME:TOKEN[:RATE] (repeatable; RATE as --throttle, absent: unlimited)."
    )
    var workspaces: [String] = []

    /// `--workspace` values parsed: name, token and budget of each.
    var parsedWorkspaces: [SandboxWorkspace]? {
        var parsed: [SandboxWorkspace] = []
        for text in workspaces {
            let parts = text.split(separator: ":", maxSplits: 2).map(String.init)
            guard parts.count >= 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
            if parts.count == 3, SandboxThrottle.parse(parts[2]) == nil { return nil }
            parsed.append(
                SandboxWorkspace(
                    name: parts[0], token: parts[1], throttle: parts.count == 3 ? SandboxThrottle(parts[2]) : .unlimited
                ))
        }
        return parsed
    }

    public init() {}

    public func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535, got \(port).") }
        guard (0...1).contains(failRate) else {
            throw ValidationError("--fail-rate must be between 0 and 1, got \(failRate).")
        }
        guard latencyMs >= 0 else { throw ValidationError("--latency-ms must not be negative.") }
        guard ratePerSecond.map({ $0 > 0 }) ?? true else { throw ValidationError("--rate-per-s must be positive.") }
        guard SandboxFlavor(rawValue: flavor) != nil else {
            throw ValidationError(
                "--flavor must be one of \(SandboxFlavor.allCases.map(\.rawValue).joined(separator: ", ")), got \(flavor)."
            )
        }
        if let throttle, SandboxThrottle.parse(throttle) == nil {
            throw ValidationError(
                "--throttle must be N/s, N/m, N/h or N/d with N a positive whole number, got \(throttle).")
        }
        guard pageSize > 0 else { throw ValidationError("--page-size must be positive.") }
        guard parsedWorkspaces != nil else {
            throw ValidationError(
                "--workspace must be NAME:TOKEN or NAME:TOKEN:RATE (RATE as N/s, N/m, N/h or N/d), e.g. globex:globex-token:60/m."
            )
        }
        guard resolvedToken != nil else {
            throw ValidationError(
                "Give the API token with --token or in $\(Self.tokenVariable) (it must not be empty).")
        }
    }

    public func run() async throws {
        var logger = Logger(label: "contact-sync.sandbox")
        logger.logLevel = .notice
        var options = SandboxOptions(
            host: host, port: port, token: resolvedToken ?? "", latencyMs: latencyMs, failRate: failRate,
            ratePerSecond: ratePerSecond, seed: seed, pageSize: pageSize,
            flavor: SandboxFlavor(rawValue: flavor) ?? .textit,
            throttle: throttle.map { SandboxThrottle($0) } ?? .unlimited,
            flow: SandboxFlow(groupOnCreate: flowGroup)
        )
        options.chaos.throttleReads = throttleReads
        options.workspaces = parsedWorkspaces ?? []
        let sandbox = try await Sandbox.start(options, logger: logger)
        // Written unbuffered: scripts read the URL from a pipe while the sandbox keeps running.
        FileHandle.standardOutput.write(
            Data(
                "sandbox listening on \(sandbox.baseURL) (API: \(sandbox.baseURL)/api/v2/, flavor \(sandbox.flavor.rawValue))\n"
                    .utf8))
        var registry: SchemaRegistryStandIn?
        if let registryPort {
            registry = try await SchemaRegistryStandIn.start(host: host, port: registryPort, logger: logger)
            FileHandle.standardOutput.write(
                Data("schema registry stand-in listening on \(registry?.baseURL ?? "")\n".utf8))
        }
        let group = ServiceGroup(
            configuration: .init(
                services: [SandboxService(sandbox: sandbox, registry: registry)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            ))
        try await group.run()
    }
}

/// Keeps the sandbox up until the service group asks for a graceful shutdown.
private struct SandboxService: Service {
    let sandbox: Sandbox
    let registry: SchemaRegistryStandIn?

    func run() async throws {
        try? await gracefulShutdown()
        await sandbox.shutdown()
        await registry?.shutdown()
    }
}
