import Foundation

/// A request budget as Django REST framework writes it: `3600/h`, `600/m`, `20/s` (also
/// `3600/hour`, `10/minute`, `1/second`, `100/day`). `0` (or `0/h`) means unlimited: a
/// self-hosted platform with throttling off.
public struct RequestRate: Sendable, Equatable, CustomStringConvertible {
    /// Requests allowed in one `window`; `0` means no limit.
    public var requests: Int
    public var window: Duration

    public init(requests: Int, per window: Duration) {
        self.requests = max(0, requests)
        self.window = window
    }

    public static let unlimited = RequestRate(requests: 0, per: .seconds(1))

    public var isUnlimited: Bool { requests == 0 }

    /// Requests per second, for display and pacing.
    public var perSecond: Double {
        let (seconds, atto) = window.components
        return Double(requests) / (Double(seconds) + Double(atto) / 1e18)
    }

    /// Parses DRF's `N/period`; `nil` when the text is not one.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "0" {
            self = .unlimited
            return
        }
        let parts = trimmed.split(separator: "/", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let count = Int(parts[0]), count >= 0, let unit = parts[1].lowercased().first else {
            return nil
        }
        // DRF reads only the period's first letter (`h`, `hour`, `hours` alike).
        let seconds: Int64
        switch unit {
        case "s": seconds = 1
        case "m": seconds = 60
        case "h": seconds = 3600
        case "d": seconds = 86_400
        default: return nil
        }
        self.init(requests: count, per: .seconds(seconds))
    }

    public var description: String {
        if isUnlimited { return "unlimited" }
        let seconds = window.components.seconds
        let unit =
            switch seconds {
            case 1: "s"
            case 60: "m"
            case 3600: "h"
            case 86_400: "d"
            default: "\(seconds)s"
            }
        return "\(requests)/\(unit)"
    }
}
