/// The platform's request budget: Django REST framework's `ScopedRateThrottle` per workspace
/// and scope (`OrgUserRateThrottle` in `temba/api/support.py`).
///
/// Rates are DRF's `"N/period"`, the period read from its first letter (`s`, `m`, `h`, `d`), so
/// `"3600/hour"`, `"3600/h"`, `"20/s"` and `"1200/m"` all work. `nil`: that scope is unlimited.
/// The platform's defaults are `3600/hour` (TextIt) and `2500/hour` (RapidPro 9, Weni) for both
/// scopes (`SandboxFlavor.defaultRate`); the sandbox is unlimited unless told.
public struct SandboxThrottle: Sendable, Equatable, Codable {
    /// Budget of the `v2.contacts` scope (`contacts.json`, every method).
    public var contacts: String?
    /// Budget of the `v2` scope (`fields.json`, `groups.json`, `contact_actions.json`).
    public var v2: String?

    public init(contacts: String? = nil, v2: String? = nil) {
        self.contacts = contacts
        self.v2 = v2
    }

    /// The same rate for both scopes, e.g. `"3600/h"` (each scope has its own budget of it).
    public init(_ rate: String) {
        self.init(contacts: rate, v2: rate)
    }

    public static let unlimited = SandboxThrottle()

    /// The platform's default rates for `flavor`.
    public static func platformDefault(_ flavor: SandboxFlavor) -> SandboxThrottle {
        SandboxThrottle(flavor.defaultRate)
    }

    func rate(of scope: ThrottleScope) -> String? {
        scope == .contacts ? contacts : v2
    }

    /// `(requests, seconds)` of a rate like `3600/h`, or `nil` when it is not one.
    public static func parse(_ rate: String) -> (requests: Int, seconds: Int)? {
        let parts = rate.split(separator: "/", maxSplits: 1)
        guard parts.count == 2, let count = Int(parts[0]), count > 0, let unit = parts[1].first else { return nil }
        let seconds: Int
        switch unit {
        case "s": seconds = 1
        case "m": seconds = 60
        case "h": seconds = 3600
        case "d": seconds = 86_400
        default: return nil
        }
        return (count, seconds)
    }

    /// Why a rate is refused, or `nil` when both parse.
    public var problem: String? {
        for (name, rate) in [("contacts", contacts), ("v2", v2)] {
            if let rate, Self.parse(rate) == nil {
                return "\(name) rate \"\(rate)\" is not N/s, N/m, N/h or N/d with N a positive whole number"
            }
        }
        return nil
    }
}

/// A throttle scope of API v2 (`throttle_scope` of each endpoint in `temba/api/v2/views.py`).
public enum ThrottleScope: String, Sendable, CaseIterable, Codable {
    case contacts = "v2.contacts"
    case v2

    static func of(endpoint: String) -> ThrottleScope {
        endpoint == "contacts.json" ? .contacts : .v2
    }
}

/// The sliding windows: the instants of each scope's allowed requests still inside the window.
///
/// As in DRF's `SimpleRateThrottle`: a request is allowed while fewer than N requests were
/// allowed in the last period, and then recorded; a refused one is not recorded. The wait is
/// the time until the oldest recorded request leaves the window, rounded up to whole seconds
/// (`Throttled` takes `math.ceil(wait)`; `Retry-After` is that number).
struct ThrottleWindows: Sendable {
    private(set) var settings: SandboxThrottle
    private var history: [ThrottleScope: [ContinuousClock.Instant]] = [:]

    init(settings: SandboxThrottle) {
        self.settings = settings
    }

    /// New rates apply to the requests that follow; what was already counted stays counted.
    mutating func update(_ new: SandboxThrottle) {
        settings = new
    }

    /// `nil` when the request may go on (and is counted), else the seconds to wait.
    mutating func admit(_ scope: ThrottleScope, now: ContinuousClock.Instant = .now) -> Int? {
        guard let rate = settings.rate(of: scope), let (limit, seconds) = SandboxThrottle.parse(rate) else {
            return nil
        }
        let window = Duration.seconds(seconds)
        var times = history[scope] ?? []
        // Oldest first; drop those at or past the window's edge (DRF: `history[-1] <= now - duration`).
        let stale = times.prefix { now - $0 >= window }.count
        times.removeFirst(stale)
        if times.count >= limit {
            history[scope] = times
            let remaining = window - (now - times[times.count - limit])
            let (whole, fraction) = remaining.components
            return max(1, Int(whole) + (fraction > 0 ? 1 : 0))
        }
        times.append(now)
        history[scope] = times
        return nil
    }

    /// DRF's `Throttled` text: "second" for one.
    static func message(wait: Int) -> String {
        "Request was throttled. Expected available in \(wait) second\(wait == 1 ? "" : "s")."
    }
}
