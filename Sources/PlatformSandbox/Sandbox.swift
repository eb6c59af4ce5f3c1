import Hummingbird
public import Logging
import ServiceLifecycle
import Synchronization

/// A running sandbox: a RapidPro-style API v2 server (contacts, fields, groups) in this process.
///
/// Tests, the demo and benchmarks start one on an ephemeral port, point a client at `baseURL`,
/// inject faults with `setChaos`, and check the outcome with `state()` and `stats()`.
/// Other processes read the same through `GET /_sandbox/state` and `GET /_sandbox/stats`.
public final class Sandbox: Sendable {
    /// `http://127.0.0.1:PORT` (no trailing slash); the API is under `/api/v2/`.
    public let baseURL: String
    /// The port actually bound (useful when the options asked for port 0).
    public let port: Int

    let core: SandboxCore
    private let services: ServiceGroup
    private let server: Task<Void, any Error>

    private init(baseURL: String, port: Int, core: SandboxCore, services: ServiceGroup, server: Task<Void, any Error>) {
        self.baseURL = baseURL
        self.port = port
        self.core = core
        self.services = services
        self.server = server
    }

    /// Starts listening and returns once the port is bound.
    /// - Throws: when the address cannot be bound (e.g. the port is taken).
    public static func start(_ options: SandboxOptions, logger: Logger) async throws -> Sandbox {
        for problem in ([options.throttle] + options.workspaces.map(\.throttle)).compactMap(\.problem) {
            throw SandboxStartError(host: options.host, port: options.port, reason: problem)
        }
        let tokens = [options.token] + options.workspaces.map(\.token)
        guard Set(tokens).count == tokens.count, Set(options.workspaces.map(\.name)).count == options.workspaces.count
        else {
            throw SandboxStartError(
                host: options.host, port: options.port,
                reason: "every workspace needs its own name and token (a token opens one workspace)")
        }
        if LanguageCodes.known == nil {
            logger.warning(
                "ISO 639-3 table not found; any three letters pass as a language",
                metadata: ["path": "\(LanguageCodes.path)"])
        }
        let core = SandboxCore(options: options)
        let bound = BoundPort()
        let app = Application(
            responder: SandboxResponder(core: core),
            configuration: .init(
                address: .hostname(options.host, port: options.port), serverName: "contact-sync-sandbox"),
            onServerRunning: { channel in bound.resolve(.success(channel.localAddress?.port ?? options.port)) },
            logger: logger
        )
        // The application runs as a service so `shutdown` can end it gracefully (idle
        // keep-alive connections closed, in-flight requests answered) instead of cancelling it.
        let services = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let server = Task {
            do {
                try await services.run()
                bound.resolve(
                    .failure(
                        SandboxStartError(
                            host: options.host, port: options.port, reason: "the server stopped before listening")))
            } catch {
                bound.resolve(.failure(SandboxStartError(host: options.host, port: options.port, reason: "\(error)")))
                throw error
            }
        }
        let port: Int
        do {
            port = try await bound.value()
        } catch {
            server.cancel()
            throw error
        }
        core.setAddress(host: options.host, port: port)
        logger.info("sandbox listening", metadata: ["url": "\(core.baseURL)", "flavor": "\(options.flavor.rawValue)"])
        return Sandbox(baseURL: core.baseURL, port: port, core: core, services: services, server: server)
    }

    /// Calls answered so far, per endpoint, method and status.
    public func stats() -> SandboxStats { core.main.stats.withLock { $0.snapshot } }

    /// The workspace as it is now.
    public func state() -> SandboxState { core.state() }

    /// The faults in force now.
    public func chaos() -> SandboxChaos { core.main.chaos.withLock { $0.settings } }

    /// Changes the faults for the requests that follow (e.g. 100 % failures, then none).
    public func setChaos(_ chaos: SandboxChaos) { core.main.chaos.withLock { $0.update(chaos) } }

    /// The platform flavour this sandbox reproduces.
    public var flavor: SandboxFlavor { core.flavor }

    /// The request budget in force now.
    public func throttle() -> SandboxThrottle { core.main.throttle.withLock { $0.settings } }

    /// Changes the request budget for the requests that follow (what was counted stays counted).
    /// - Throws: `SandboxAdminError` when a rate is not `N/s`, `N/m`, `N/h` or `N/d`.
    public func setThrottle(_ throttle: SandboxThrottle) throws {
        if let problem = throttle.problem { throw SandboxAdminError(problem) }
        core.main.throttle.withLock { $0.update(throttle) }
    }

    /// The simulated flows in force now.
    public func flow() -> SandboxFlow { core.endpoints.organisation.withLock { $0.flow } }

    /// Changes what the simulated flows do to contacts created from now on.
    public func setFlow(_ flow: SandboxFlow) { core.endpoints.organisation.withLock { $0.flow = flow } }

    /// Sets a contact's status as an agent or an opt-out would (e.g. `.stopped`), by UUID or URN.
    /// - Throws: `SandboxAdminError` when no active contact has that UUID or URN.
    @discardableResult
    public func setContactStatus(_ contact: String, to status: ContactStatus) throws -> SandboxState.Contact {
        try core.setContactStatus(contact, to: status)
    }

    /// Adds a group the API cannot create: a query-based (smart) one, or one in use by
    /// campaigns, flows or triggers (`usedBy`, e.g. `"campaigns"`), which cannot be deleted.
    @discardableResult
    public func seedGroup(name: String, query: String? = nil, usedBy: String? = nil) throws -> SandboxState.Group {
        let group = try core.endpoints.organisation.withLock { org throws(APIError) in
            try org.addGroup(name: name, query: query, usedBy: usedBy)
        }
        return SandboxState.Group(uuid: group.uuid, name: group.name, query: group.query, count: 0)
    }

    /// Adds `count` text fields (`seeded_1`…) past every check, e.g. to bring the workspace to its
    /// limit of 250 without 250 calls.
    public func seedFields(count: Int) {
        core.endpoints.organisation.withLock { org in
            for index in 1...max(1, count) where count > 0 {
                let id = org.nextID()
                org.fields[id] = FieldRecord(id: id, key: "seeded_\(index)", label: "Seeded \(index)", type: .text)
            }
        }
    }

    /// Stops listening, lets requests in flight finish, and waits for the server to end.
    public func shutdown() async {
        await services.triggerGracefulShutdown()
        _ = await server.result
    }
}

/// Why an admin change was refused.
public struct SandboxAdminError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Why a sandbox could not start.
public struct SandboxStartError: Error, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let reason: String
    public var description: String {
        "The sandbox could not listen on \(host):\(port): \(reason). Pick another port, or 0 for a free one."
    }
}

/// What every request handler shares: the workspaces (the first one's parts under their old
/// names, as the admin read-outs use them), the page size and the address.
final class SandboxCore: Sendable {
    let pageSize: Int
    let flavor: SandboxFlavor
    /// The first workspace, `SandboxOptions.token`'s.
    let main: SandboxTenant
    /// The others, by name.
    let tenants: [String: SandboxTenant]
    private let byToken: [String: SandboxTenant]
    private let address = Mutex("127.0.0.1:0")

    var token: String { main.token }
    var endpoints: Endpoints { main.endpoints }

    init(options: SandboxOptions) {
        pageSize = max(1, options.pageSize)
        flavor = options.flavor
        main = SandboxTenant(
            token: options.token, flavor: options.flavor, chaos: options.chaos, seed: options.seed,
            throttle: options.throttle, flow: options.flow)
        var tenants: [String: SandboxTenant] = [:]
        for (index, workspace) in options.workspaces.enumerated() {
            tenants[workspace.name] = SandboxTenant(
                token: workspace.token, flavor: options.flavor, chaos: workspace.chaos,
                seed: options.seed &+ UInt64(index + 1), throttle: workspace.throttle, flow: options.flow)
        }
        self.tenants = tenants
        byToken = Dictionary(uniqueKeysWithValues: tenants.values.map { ($0.token, $0) })
    }

    /// The workspace `name` (`nil`: the first); a name not configured is a test's mistake.
    func tenant(named name: String?) -> SandboxTenant {
        guard let name else { return main }
        guard let tenant = tenants[name] else {
            preconditionFailure("the sandbox serves no workspace named \(name) (\(tenants.keys.sorted()))")
        }
        return tenant
    }

    /// The workspace an `Authorization: Token …` header opens; the first one for any other
    /// (which then answers 401 as before).
    func tenant(authorization: String?) -> SandboxTenant {
        guard !byToken.isEmpty, let header = authorization else { return main }
        let parts = header.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, let tenant = byToken[String(parts[1])] else { return main }
        return tenant
    }

    func setAddress(host: String, port: Int) {
        let shownHost = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
        address.withLock { $0 = "\(shownHost.contains(":") ? "[\(shownHost)]" : shownHost):\(port)" }
    }

    func hostAndPort() -> String { address.withLock { $0 } }

    var baseURL: String { "http://" + hostAndPort() }

    func state() -> SandboxState { endpoints.organisation.withLock { $0.snapshot } }

    func setContactStatus(_ reference: String, to status: ContactStatus, in tenant: SandboxTenant? = nil)
        throws(SandboxAdminError) -> SandboxState.Contact
    {
        try (tenant ?? main).endpoints.organisation.withLock { org throws(SandboxAdminError) in
            guard let contact = org.activeContact(reference: reference) else {
                throw SandboxAdminError("no active contact has the UUID or URN \(reference)")
            }
            return org.snapshot(of: org.setStatus(status, ofContact: contact.id))
        }
    }
}

/// The port a server bound, handed from its `onServerRunning` callback to `start` (the sandbox
/// and the schema registry stand-in).
final class BoundPort: Sendable {
    private enum Phase {
        case waiting([CheckedContinuation<Int, any Error>])
        case done(Result<Int, any Error>)
    }

    private let phase = Mutex(Phase.waiting([]))

    func resolve(_ result: Result<Int, any Error>) {
        let waiters: [CheckedContinuation<Int, any Error>] = phase.withLock { phase in
            guard case .waiting(let waiters) = phase else { return [] }
            phase = .done(result)
            return waiters
        }
        for waiter in waiters { waiter.resume(with: result) }
    }

    func value() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<Int, any Error>? = phase.withLock { phase in
                switch phase {
                case .waiting(let waiters):
                    phase = .waiting(waiters + [continuation])
                    return nil
                case .done(let result): return result
                }
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
