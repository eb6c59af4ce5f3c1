import Logging
import PlatformClient
import SyncCore
import Synchronization

/// The workspaces a worker writes to: the single one of the `platform.*` settings, or every
/// one of `platform.workspaces`, found by the name a change carries.
struct Workspaces: Sendable {
    let all: [Workspace]
    private let byName: [String: Workspace]
    /// Whether events name their workspace (`platform.workspaces` configured).
    var areNamed: Bool { all.first?.name != nil }

    init(
        configuration: WorkerConfiguration, platform: PlatformClient.Options, status: WorkerStatus, logger: Logger,
        isStopping: @escaping @Sendable () -> Bool, feeding: @escaping @Sendable () async -> Bool = { false }
    ) {
        if configuration.workspaces.isEmpty {
            all = [
                Workspace(
                    name: nil, platform: platform, flavor: configuration.flavor,
                    budgetContacts: configuration.budgetContacts, budgetV2: configuration.budgetV2,
                    managedGroups: configuration.managedGroups, configuration: configuration, status: status,
                    logger: logger, isStopping: isStopping, feeding: feeding)
            ]
        } else {
            all = configuration.workspaces.map { workspace in
                if workspace.paused {
                    status.update {
                        $0.unhealthyWorkspaces[workspace.name] =
                            "paused by configuration (platform.workspaces.\(workspace.name).paused)"
                    }
                }
                return Workspace(
                    name: workspace.name, platform: workspace.platform, flavor: workspace.flavor,
                    budgetContacts: workspace.budgetContacts, budgetV2: workspace.budgetV2,
                    managedGroups: workspace.managedGroups, paused: workspace.paused, configuration: configuration,
                    status: status, logger: logger, isStopping: isStopping, feeding: feeding)
            }
            status.update {
                $0.workspaceCount = configuration.workspaces.count
                $0.platformAvailable = $0.unhealthyWorkspaces.count < $0.workspaceCount
            }
        }
        byName = Dictionary(all.compactMap { w in w.name.map { ($0, w) } }, uniquingKeysWith: { first, _ in first })
    }

    /// The workspace of a change (`nil`: the single one); `nil` when it is not configured.
    func named(_ name: String?) -> Workspace? {
        guard let name else { return areNamed ? nil : all[0] }
        return byName[name]
    }

    /// The workspace of an entity key (see `ContactChange.entityKey(_:workspace:)`). Only keys
    /// of admitted changes reach lanes, so the workspace is configured.
    func forKey(_ key: String) -> Workspace {
        named(ContactChange.workspace(ofEntityKey: key)) ?? all[0]
    }

    /// Whether fetching should treat the platform as down: every workspace is (one healthy
    /// workspace keeps records flowing; the others' wait in their lanes, bounded by backpressure).
    /// The single workspace pauses on a degraded platform only, as it always has (a refused
    /// token is waited out by the calls, and `/readyz` says so).
    func allUnhealthy() -> Bool {
        guard areNamed else { return all[0].gate.standing.withLock { $0.degraded } }
        return all.allSatisfy { !$0.gate.isHealthy }
    }

    /// Whether every workspace is paused by a 429 now.
    func allThrottled() async -> Bool {
        for workspace in all where await !workspace.gate.isThrottled() { return false }
        return true
    }

    func shutdown() async {
        for workspace in all { try? await workspace.client.shutdown() }
    }
}

extension Worker {
    /// Why a change's workspace is not one this worker writes to, and what to do about it.
    func unknownWorkspaceMessage(_ name: String?) -> String {
        let configured = workspaces.all.map(\.label).sorted().joined(separator: ", ")
        return
            "the event names workspace \"\(name ?? "")\", which is not configured (platform.workspaces: \(configured)); add it and replay this dead letter (dlq replay --workspace \(name ?? ""))"
    }
}
