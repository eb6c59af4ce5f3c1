import NIOHTTP1

/// The only bulk write of API v2 (`contact_actions.json`, scope `v2`): one action on up to 100
/// contacts. `add` and `remove` change one group and leave every other membership alone,
/// which is why contact-sync changes memberships through it rather than by replacing `groups`.
public enum ContactAction: String, Sendable, Hashable, CaseIterable {
    case add, remove, block, unblock, interrupt, delete
    case archiveMessages = "archive_messages"

    /// Whether the action needs a group (`add`, `remove`).
    public var takesGroup: Bool { self == .add || self == .remove }
}

extension PlatformClient {
    /// Most contacts one `contact_actions.json` call takes.
    public static let maxContactsPerAction = 100

    /// Runs `action` on `contacts` (UUIDs or URNs, at most 100). One unknown contact fails the
    /// whole call with `400 {"contacts": ["No such object: X"]}` (`PlatformError.unknownObjects`).
    public func perform(_ action: ContactAction, contacts: [String], group: String? = nil) async throws {
        precondition(contacts.count <= Self.maxContactsPerAction, "contact_actions.json takes at most 100 contacts")
        precondition(!action.takesGroup || group != nil, "\(action.rawValue) needs a group")
        let body = ActionBody(contacts: contacts, action: action.rawValue, group: action.takesGroup ? group : nil)
        _ = try await send(.POST, "contact_actions.json", body: body)
    }
}

struct ActionBody: Encodable {
    let contacts: [String]
    let action: String
    let group: String?
}
