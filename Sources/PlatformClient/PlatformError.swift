import Foundation
import JSON

/// What went wrong talking to the platform, typed so the engine can decide: retry, pause or
/// dead-letter. Bodies are kept (truncated) because the platform's answer is what a person
/// needs to fix a rejected event.
public enum PlatformError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 400: the platform refused the data. Permanent for this event.
    case validation(status: Int, body: String)
    /// 404 where something had to exist.
    case notFound(body: String)
    /// 401/403: the token is missing, wrong or lacks rights. Not the event's fault.
    case unauthorized(status: Int, detail: String)
    /// 429: over the platform's rate budget; wait at least `retryAfter` when given.
    case throttled(retryAfter: Duration?, body: String)
    /// 5xx.
    case server(status: Int, body: String)
    /// No answer within the request timeout.
    case timeout
    /// No connection (refused, reset, DNS, TLS).
    case unreachable(String)
    /// Any other status, or an answer that could not be read.
    case unexpected(status: Int, body: String)

    /// Whether trying again later may succeed (429, 5xx, timeouts, connection failures).
    public var isTransient: Bool {
        switch self {
        case .throttled, .server, .timeout, .unreachable: true
        case .validation, .notFound, .unauthorized, .unexpected: false
        }
    }

    /// How long the platform asked us to wait, when it said.
    public var retryAfter: Duration? {
        if case .throttled(let after, _) = self { return after }
        return nil
    }

    /// The HTTP status, when there was an answer.
    public var status: Int? {
        switch self {
        case .validation(let status, _), .unauthorized(let status, _), .server(let status, _),
            .unexpected(let status, _):
            status
        case .notFound: 404
        case .throttled: 429
        case .timeout, .unreachable: nil
        }
    }

    /// The platform's answer body, when there was one.
    public var body: String? {
        switch self {
        case .validation(_, let body), .notFound(let body), .throttled(_, let body), .server(_, let body),
            .unexpected(_, let body):
            body
        case .unauthorized(_, let detail): detail
        case .timeout, .unreachable: nil
        }
    }

    /// A 400 saying one of the URNs is held by another contact: a data conflict, not a bug.
    /// Current RapidPro/TextIt: "URN is in use by another contact." (keyed by index);
    /// RapidPro 9 and Weni: "URN belongs to another contact: tel:+…" (a flat list).
    public var isURNTakenByAnotherContact: Bool {
        guard case .validation(_, let body) = self else { return false }
        return body.contains("URN is in use by another contact") || body.contains("URN belongs to another contact")
    }

    /// Which of `sent` (the body's `urns`, in order) the platform says another contact holds:
    /// by index (`{"urns": {"0": [...]}}`) or by value (`"URN belongs to another contact: X"`).
    /// Empty when the answer names none it can be matched to.
    public func takenURNs(of sent: [String]) -> [String] {
        guard isURNTakenByAnotherContact, let body, let json = try? JSON.parse(Array(body.utf8)) else {
            return []
        }
        var taken: [String] = []
        if case .object(let byIndex)? = json["urns"] {
            for (index, messages) in byIndex {
                guard let position = Int(index), sent.indices.contains(position), case .array(let texts) = messages
                else { continue }
                if texts.contains(where: {
                    $0.string?.contains("in use by another contact") == true
                        || $0.string?.contains("belongs to another contact") == true
                }) {
                    taken.append(sent[position])
                }
            }
        }
        if case .array(let messages)? = json["urns"] {
            for message in messages.compactMap(\.string) {
                guard let range = message.range(of: "belongs to another contact: ") else { continue }
                let named = message[range.upperBound...].trimmingCharacters(in: .whitespaces)
                if let match = sent.first(where: { $0 == named || $0.lowercased() == named.lowercased() }) {
                    taken.append(match)
                }
            }
        }
        return sent.filter(taken.contains)
    }

    /// A 400 saying the name exists already (another instance created it first): "This field
    /// must be unique." (current), "Must be unique." and "… already exists" (older releases).
    public var isNotUnique: Bool {
        guard case .validation(_, let body) = self else { return false }
        return body.localizedCaseInsensitiveContains("must be unique") || body.contains("already exists")
    }

    /// The contact was deleted on the platform: "Deleted contacts can't be modified." (current),
    /// "Inactive contacts can't be modified." (Weni), or 404 on releases that answer so.
    public var isDeletedContact: Bool {
        switch self {
        case .notFound: return true
        case .validation(_, let body):
            return body.contains("Deleted contacts can't be modified")
                || body.contains("Inactive contacts can't be modified")
                || body.contains("Deleted contacts cannot be modified")
                || body.contains("Inactive contacts cannot be modified")
        default: return false
        }
    }

    /// A group change refused because the contact is blocked, stopped or archived:
    /// "Non-active contacts can't be added to groups" / "cannot be added to groups".
    public var isNonActiveContact: Bool {
        guard case .validation(_, let body) = self else { return false }
        return body.contains("Non-active contacts") || body.contains("non-active contacts")
    }

    /// The contacts a `contact_actions.json` answer names as unknown ("No such object: X").
    public var unknownObjects: [String] {
        guard case .validation(_, let body) = self else { return [] }
        var found: [String] = []
        var rest = Substring(body)
        while let range = rest.range(of: "No such object: ") {
            let tail = rest[range.upperBound...]
            let end = tail.firstIndex(where: { $0 == "\"" || $0 == "]" || $0 == "," }) ?? tail.endIndex
            let named = tail[..<end].trimmingCharacters(in: .whitespaces)
            if !named.isEmpty { found.append(named) }
            rest = tail[end...]
        }
        return found
    }

    /// A short stable name for metrics and dead-letter headers.
    public var kind: String {
        switch self {
        case .validation: "validation"
        case .notFound: "not_found"
        case .unauthorized: "unauthorized"
        case .throttled: "throttled"
        case .server: "server_error"
        case .timeout: "timeout"
        case .unreachable: "unreachable"
        case .unexpected: "unexpected"
        }
    }

    public var description: String {
        switch self {
        case .validation(let status, let body): "platform refused the data (\(status)): \(Self.clip(body))"
        case .notFound(let body): "platform answered 404 Not Found: \(Self.clip(body))"
        case .unauthorized(let status, let detail):
            "platform refused the API token (\(status)): \(Self.clip(detail)); check platform.token / CONTACT_SYNC_PLATFORM_TOKEN"
        case .throttled(let after, _):
            "platform throttled the request (429)\(after.map { ", retry after \($0)" } ?? "")"
        case .server(let status, let body): "platform failed (\(status)): \(Self.clip(body))"
        case .timeout: "platform did not answer within the request timeout"
        case .unreachable(let reason): "platform unreachable: \(reason)"
        case .unexpected(let status, let body): "platform gave an unexpected answer (\(status)): \(Self.clip(body))"
        }
    }

    /// Bodies can be whole HTML error pages; keep descriptions to one readable line.
    static func clip(_ text: String, limit: Int = 300) -> String {
        let oneLine = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(
            separator: " ")
        return oneLine.count <= limit ? oneLine : String(oneLine.prefix(limit)) + "…"
    }
}
