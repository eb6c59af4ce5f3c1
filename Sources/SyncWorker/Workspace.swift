import Logging
import PlatformClient
import SyncCore

/// Everything the worker keeps per workspace: its client (token), its gate (budgets, health,
/// retries), its registry of fields and groups, its action batcher and its contact handler
/// (the contact-UUID cache). One workspace that is down, throttled or refusing its token then
/// holds back only its own lanes.
final class Workspace: Sendable {
    /// `nil`: the single workspace of the `platform.*` settings (no label, bare entity keys).
    let name: String?
    let client: PlatformClient
    let gate: PlatformGate
    let handler: ContactHandler
    let flavor: PlatformFlavor

    /// The name in logs and readiness texts.
    var label: String { name ?? "default" }

    /// `[("workspace", name)]` for a named workspace, none for the single one (so existing
    /// series, dashboards and alerts stay as they were).
    var dimensions: [(String, String)] { name.map { [("workspace", $0)] } ?? [] }

    init(
        name: String?, platform: PlatformClient.Options, flavor: PlatformFlavor, budgetContacts: RequestRate,
        budgetV2: RequestRate, managedGroups: [String], paused: Bool = false, configuration: WorkerConfiguration,
        status: WorkerStatus,
        logger: Logger, isStopping: @escaping @Sendable () -> Bool,
        feeding: @escaping @Sendable () async -> Bool = { false }
    ) {
        self.name = name
        self.flavor = flavor
        var logger = logger
        if let name { logger[metadataKey: "workspace"] = "\(name)" }
        client = PlatformClient(
            options: platform, logger: logger,
            observer: { call in
                status.count(
                    .apiCall(
                        endpoint: call.endpoint, method: call.method,
                        status: call.status.map(String.init) ?? call.outcome, duration: call.duration,
                        workspace: name))
            })
        var policy = configuration.retry
        policy.maxAttempts = .max  // the budget is time (RetryBudget), whatever a count says
        let retry = policy
        var health = PlatformHealth.Policy()
        health.consecutive = configuration.outageThreshold
        health.degradeAt = configuration.degradeAtFailureRate
        let gate = PlatformGate(
            contacts: budgetContacts, v2: budgetV2, retry: retry, health: health, status: status, logger: logger,
            workspace: name, paused: paused, isStopping: isStopping)
        self.gate = gate
        let registry = Registry(
            client: client, flavor: flavor,
            caller: { work in
                try await gate.call(.v2, RetryBudget(limit: retry.maxElapsed)) { try await work() }
            })
        handler = ContactHandler(
            client: client, registry: registry, gate: gate,
            actions: ActionBatcher(client: client, gate: gate, feeding: feeding),
            managedGroups: managedGroups, logger: logger)
    }
}
