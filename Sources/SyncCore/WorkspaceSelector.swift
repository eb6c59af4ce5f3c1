public import JSON

/// How an event names the workspace it belongs to (`platform.workspace_from`), when one
/// deployment serves several: a record header (`header:tenant`) or an RFC 6901 JSON pointer
/// into the decoded event (`/tenant`, `/data/account_id`; for Debezium, into the row).
///
/// Parsed once at start-up, so a typo stops the worker with the setting named instead of
/// dead-lettering every record as `unknown_workspace`.
public enum WorkspaceSelector: Sendable, Equatable, CustomStringConvertible {
    case header(String)
    case pointer(String)

    /// - Parameter setting: the setting's name and source for the error (e.g. `platform.workspace_from (file x.yaml)`).
    public init(parsing text: String, setting: String = "platform.workspace_from") throws(WorkspaceSelectorError) {
        let trimmed = text.trimmingSpaces()
        if trimmed.hasPrefix("header:") {
            let name = String(trimmed.dropFirst("header:".count)).trimmingSpaces()
            guard !name.isEmpty, name.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
                throw WorkspaceSelectorError(
                    setting: setting, value: text,
                    problem:
                        "the header name after `header:` must be printable ASCII without spaces, e.g. header:tenant")
            }
            self = .header(name)
            return
        }
        guard trimmed.hasPrefix("/"), trimmed.count > 1 else {
            throw WorkspaceSelectorError(
                setting: setting, value: text,
                problem:
                    "expected `header:<name>` (a record header) or a JSON pointer starting with `/` (e.g. /tenant, /data/account_id)"
            )
        }
        // RFC 6901: `~` must be followed by 0 or 1.
        var characters = trimmed.makeIterator()
        while let character = characters.next() {
            guard character == "~" else { continue }
            let next = characters.next()
            guard next == "0" || next == "1" else {
                throw WorkspaceSelectorError(
                    setting: setting, value: text,
                    problem: "a `~` in a JSON pointer must be written ~0, and a `/` inside a member name ~1 (RFC 6901)")
            }
        }
        self = .pointer(trimmed)
    }

    /// The workspace `record` names: its header, or the text at the pointer in `document` (the
    /// decoded event; for Debezium, the row). `nil` when it names none (absent, null, empty,
    /// or not a string or number).
    public func workspace(of record: InboundRecord, in document: JSON?) -> String? {
        let found: String? =
            switch self {
            case .header(let name): record.header(name)
            case .pointer(let pointer): document?.at(pointer: pointer)?.scalarText
            }
        guard let name = found?.trimmingSpaces(), !name.isEmpty else { return nil }
        return name
    }

    /// Where a person looks for it, for dead-letter messages.
    public var description: String {
        switch self {
        case .header(let name): "header \(name)"
        case .pointer(let pointer): "JSON pointer \(pointer)"
        }
    }
}

/// `platform.workspace_from` could not be read: the setting, the value and what to write instead.
public struct WorkspaceSelectorError: Error, Sendable, Equatable, CustomStringConvertible {
    public let setting: String
    public let value: String
    public let problem: String

    public var description: String { "\(setting) = \"\(value)\": \(problem)" }
}
