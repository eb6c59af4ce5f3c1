/// How to start a sandbox: where it listens, the token it accepts, and its chaos.
public struct SandboxOptions: Sendable {
    /// Interface to bind; `127.0.0.1` keeps the sandbox off the network.
    public var host: String
    /// Port to bind; `0` picks a free one (read the real one from `Sandbox.baseURL`).
    public var port: Int
    /// The API token clients must send as `Authorization: Token <token>`.
    public var token: String
    /// Faults and limits applied to API requests; can be changed later with `Sandbox.setChaos`.
    public var chaos: SandboxChaos
    /// Seed of the fault draws, so a failure pattern repeats from run to run.
    public var seed: UInt64
    /// Results per list page (the platform's default is 250); small pages exercise `next` links.
    public var pageSize: Int
    /// Which platform's texts and rules to reproduce (default: TextIt / current RapidPro).
    public var flavor: SandboxFlavor
    /// The platform's request budget per scope; unlimited by default. Changeable later with
    /// `Sandbox.setThrottle` or `POST /_sandbox/throttle`.
    public var throttle: SandboxThrottle
    /// What the simulated flows do (e.g. put every new contact in "Opted In"); changeable later.
    public var flow: SandboxFlow
    /// Workspaces served beside the first (`token`'s), each opened by its own token, with its
    /// own contacts, faults and throttle.
    public var workspaces: [SandboxWorkspace] = []

    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        token: String,
        latencyMs: Int = 0,
        failRate: Double = 0,
        ratePerSecond: Double? = nil,
        seed: UInt64 = 1,
        pageSize: Int = 250,
        flavor: SandboxFlavor = .textit,
        throttle: SandboxThrottle = .unlimited,
        flow: SandboxFlow = .none
    ) {
        self.host = host
        self.port = port
        self.token = token
        self.chaos = SandboxChaos(latencyMs: latencyMs, failRate: failRate, ratePerSecond: ratePerSecond)
        self.seed = seed
        self.pageSize = pageSize
        self.flavor = flavor
        self.throttle = throttle
        self.flow = flow
    }
}

/// Faults the sandbox injects into API requests, for tests of retries, outages and demos.
public struct SandboxChaos: Sendable, Equatable, Codable {
    /// Delay added before answering each API request, in milliseconds.
    public var latencyMs: Int
    /// Fraction (0...1) of API requests answered with a 5xx instead, drawn from the seeded sequence.
    public var failRate: Double
    /// Request budget per second (a token bucket holding at most one second's worth, at least 1);
    /// past it the answer is `429` with `Retry-After`. `nil`: no limit. Kept for existing callers
    /// (chaos storms, benchmarks); the platform's own budget, per scope and in a sliding window,
    /// is `SandboxOptions.throttle`. Both apply when both are set.
    public var ratePerSecond: Double?
    /// Whether reads count against `ratePerSecond` too; by default only writes do, as on the platform.
    public var throttleReads: Bool
    /// Answer every API request `401 {"detail": "Invalid token."}`, as after a token is revoked.
    public var rejectAllTokens: Bool

    public init(
        latencyMs: Int = 0,
        failRate: Double = 0,
        ratePerSecond: Double? = nil,
        throttleReads: Bool = false,
        rejectAllTokens: Bool = false
    ) {
        self.latencyMs = latencyMs
        self.failRate = failRate
        self.ratePerSecond = ratePerSecond
        self.throttleReads = throttleReads
        self.rejectAllTokens = rejectAllTokens
    }

    /// No faults at all.
    public static let none = SandboxChaos()
}

extension SandboxChaos {
    /// Some chaos settings to change, as `POST /_sandbox/chaos` takes them; absent ones stay.
    struct Patch: Decodable {
        var latencyMs: Int?
        var failRate: Double?
        /// `0` or less removes the limit.
        var ratePerSecond: Double?
        var throttleReads: Bool?
        var rejectAllTokens: Bool?

        func applied(to current: SandboxChaos) -> SandboxChaos {
            var new = current
            if let latencyMs { new.latencyMs = max(0, latencyMs) }
            if let failRate { new.failRate = min(1, max(0, failRate)) }
            if let ratePerSecond { new.ratePerSecond = ratePerSecond > 0 ? ratePerSecond : nil }
            if let throttleReads { new.throttleReads = throttleReads }
            if let rejectAllTokens { new.rejectAllTokens = rejectAllTokens }
            return new
        }
    }
}
