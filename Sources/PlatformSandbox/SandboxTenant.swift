import Synchronization

/// One workspace of the sandbox: its token, its contacts, fields and groups, its faults, its
/// throttle and its tally. A platform is multi-workspace (a token belongs to one workspace and
/// the throttle counts per workspace), so the sandbox serves several: the request's token says
/// whose answer it gets.
final class SandboxTenant: Sendable {
    let token: String
    let endpoints: Endpoints
    let chaos: Mutex<ChaosEngine>
    let throttle: Mutex<ThrottleWindows>
    let stats = Mutex(StatsCounter())

    init(
        token: String, flavor: SandboxFlavor, chaos: SandboxChaos, seed: UInt64, throttle: SandboxThrottle,
        flow: SandboxFlow
    ) {
        self.token = token
        endpoints = Endpoints(flavor: flavor)
        self.chaos = Mutex(ChaosEngine(settings: chaos, seed: seed))
        self.throttle = Mutex(ThrottleWindows(settings: throttle))
        endpoints.organisation.withLock { $0.flow = flow }
    }
}

/// Another workspace the sandbox serves beside its first (`SandboxOptions.workspaces`).
public struct SandboxWorkspace: Sendable {
    /// How tests and admin calls name it (`Sandbox.state(workspace:)`).
    public var name: String
    /// The API token that opens it (distinct from every other workspace's).
    public var token: String
    public var chaos: SandboxChaos
    public var throttle: SandboxThrottle

    public init(name: String, token: String, chaos: SandboxChaos = .none, throttle: SandboxThrottle = .unlimited) {
        self.name = name
        self.token = token
        self.chaos = chaos
        self.throttle = throttle
    }
}

extension Sandbox {
    /// Calls answered so far by workspace `name` (`nil`: the first workspace).
    public func stats(workspace name: String?) -> SandboxStats {
        core.tenant(named: name).stats.withLock { $0.snapshot }
    }

    /// Workspace `name` as it is now (`nil`: the first workspace).
    public func state(workspace name: String?) -> SandboxState {
        core.tenant(named: name).endpoints.organisation.withLock { $0.snapshot }
    }

    /// Changes workspace `name`'s faults (e.g. 5xx to everything for a while), the others' stay.
    public func setChaos(_ chaos: SandboxChaos, workspace name: String?) {
        core.tenant(named: name).chaos.withLock { $0.update(chaos) }
    }

    /// Changes workspace `name`'s request budget.
    /// - Throws: `SandboxAdminError` when a rate is not `N/s`, `N/m`, `N/h` or `N/d`.
    public func setThrottle(_ throttle: SandboxThrottle, workspace name: String?) throws {
        if let problem = throttle.problem { throw SandboxAdminError(problem) }
        core.tenant(named: name).throttle.withLock { $0.update(throttle) }
    }

    /// The names of the workspaces beside the first.
    public var workspaceNames: [String] { core.tenants.keys.sorted() }
}
