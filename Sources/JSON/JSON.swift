/// A JSON document: the one reader and writer of the project (events, the versions topic, the
/// sandbox's bodies, log lines, dead-letter listings).
///
/// Numbers keep their text, so 64-bit versions stay exact and a value is written back with the
/// digits it was read with; objects keep member order (and duplicates) as read, so a document is
/// written back as it came and a missing member stays distinct from an explicit `null`.
public enum JSON: Sendable {
    case null
    case bool(Bool)
    /// The number's JSON text (`12`, `-0.5`, `1e3`); whoever builds one passes valid JSON number text.
    case number(String)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    /// A whole number, exactly.
    public init(_ value: some BinaryInteger) { self = .number(String(value)) }

    /// Member `key` of an object (the first, when a document repeats it); `nil` when absent or
    /// not an object.
    @inlinable public subscript(key: String) -> JSON? {
        guard case .object(let members) = self else { return nil }
        // By index: binding each (name, value) pair would copy (retain and release) every value passed.
        for index in members.indices where members[index].0 == key { return members[index].1 }
        return nil
    }

    /// Member names of an object, in document order (empty for anything else).
    public var memberNames: [String] {
        guard case .object(let members) = self else { return [] }
        return members.map(\.0)
    }

    @inlinable public var string: String? { if case .string(let s) = self { s } else { nil } }

    @inlinable public var isNull: Bool { if case .null = self { true } else { false } }

    /// Text of a string, a number or a boolean (ids are often numbers in database rows).
    public var scalarText: String? {
        switch self {
        case .string(let s): s
        case .number(let n): n
        case .bool(let b): b ? "true" : "false"
        default: nil
        }
    }

    /// The value at an RFC 6901 JSON pointer (`/data/phone`, `""` for the whole document).
    public func at(pointer: String) -> JSON? {
        guard !pointer.isEmpty else { return self }
        guard pointer.hasPrefix("/") else { return nil }
        var current = self
        for raw in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let token = Self.unescapePointerToken(raw)
            switch current {
            case .object:
                guard let next = current[token] else { return nil }
                current = next
            case .array(let items):
                guard let index = Int(token), items.indices.contains(index) else { return nil }
                current = items[index]
            default: return nil
            }
        }
        return current
    }

    /// `~1` is `/` and `~0` is `~`, in that order (so `~01` is `~1`, not `/`).
    private static func unescapePointerToken(_ token: Substring) -> String {
        guard token.contains("~") else { return String(token) }
        var result = ""
        var characters = token.makeIterator()
        while let character = characters.next() {
            guard character == "~" else {
                result.append(character)
                continue
            }
            switch characters.next() {
            case "1": result.append("/")
            case "0": result.append("~")
            case let other?: result += "~" + String(other)
            case nil: result.append("~")
            }
        }
        return result
    }
}

/// Objects are equal when they hold the same members, in any order: member order is
/// presentation (JSON gives it no meaning), and the writer keeps it for readers who look.
extension JSON: Equatable {
    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)):
            a.count == b.count
                && (zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
                    || (a.allSatisfy { m in b.contains { $0.0 == m.0 && $0.1 == m.1 } }
                        && b.allSatisfy { m in a.contains { $0.0 == m.0 && $0.1 == m.1 } }))
        default: false
        }
    }
}

/// Literals, so that bodies and expectations read like the JSON they stand for.
extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByNilLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(String(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSON)...) { self = .object(elements) }
}
