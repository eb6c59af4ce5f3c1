public import PlatformClient
public import PlatformSandbox
public import SyncCore
public import SyncWorker

/// Several workspaces in one sandbox, each opened by its own token, and events that name theirs.
extension WorkerHarness {
    /// The token of the sandbox's workspace `name` (`SandboxWorkspace.named`).
    public static func token(ofWorkspace name: String) -> String { "token-of-\(name)" }

    /// A worker's view of the sandbox's workspace `name`: its token, and `budget` for both scopes.
    public func workspace(_ name: String, budget: RequestRate = .unlimited) -> WorkspaceConfiguration {
        WorkspaceConfiguration(
            name: name,
            platform: .init(
                baseURL: sandbox.baseURL, token: APIToken(Self.token(ofWorkspace: name)), requestTimeout: .seconds(5),
                maxConnections: 16),
            budgetContacts: budget, budgetV2: budget)
    }

    /// Names every event's workspace by its `tenant` member (`tenantEvent`).
    public static let tenantSelector = WorkspaceSelector.pointer("/tenant")
}

extension SandboxWorkspace {
    /// A sandbox workspace opened by `WorkerHarness.token(ofWorkspace: name)`.
    public static func named(
        _ name: String, chaos: SandboxChaos = .none, throttle: SandboxThrottle = .unlimited
    ) -> SandboxWorkspace {
        SandboxWorkspace(name: name, token: WorkerHarness.token(ofWorkspace: name), chaos: chaos, throttle: throttle)
    }
}

/// A canonical event of `entity` in workspace `tenant` (a top-level `tenant` member; `nil`: none).
public func tenantEvent(
    _ tenant: String?, _ type: String = "customer.updated", id: String, entity: String, version: Int = 1,
    data: String = ""
) -> (key: String, json: String?) {
    let extra = data.isEmpty ? "" : ", " + data
    let member = tenant.map { #""tenant": "\#($0)", "# } ?? ""
    return (
        entity,
        #"{"id": "\#(id)", \#(member)"type": "\#(type)", "occurred_at": "2026-11-24T10:15:00Z", "version": \#(version), "data": {"id": "\#(entity)"\#(extra)}}"#
    )
}
