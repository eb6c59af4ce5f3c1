import Foundation
import HTTPTypes
import JSON

/// Cursor pagination like the platform's: `{"next": <absolute URL or null>, "previous": null,
/// "results": [...]}`, where `next` repeats the request's filters plus an opaque `cursor`.
struct Pagination {
    /// `http://host:port`, as the client reached the sandbox (its `Host` header).
    let origin: String
    let path: String
    let query: QueryParameters
    let pageSize: Int

    /// One page of `items` (sorted by `key`, descending, keys unique) after the request's cursor.
    func page<Item>(_ items: [Item], key: (Item) -> Int64, render: (Item) -> JSON) throws(APIError) -> JSON {
        var remaining = items[...]
        if let cursor = query["cursor"] {
            guard let position = Self.decode(cursor) else { throw APIError.detail(.notFound, "Invalid cursor") }
            remaining = remaining.drop { key($0) >= position }
        }
        let page = remaining.prefix(pageSize)
        var next: JSON = .null
        if remaining.count > page.count, let last = page.last {
            let others = query.pairs.filter { $0.name != "cursor" }
            let parts =
                others.map { "\(Self.escape($0.name))=\(Self.escape($0.value))" }
                + ["cursor=\(Self.encode(key(last)))"]
            next = .string("\(origin)\(path)?\(parts.joined(separator: "&"))")
        }
        return ["next": next, "previous": nil, "results": .array(page.map(render))]
    }

    static func encode(_ position: Int64) -> String {
        Data("p=\(position)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ cursor: String) -> Int64? {
        var text = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        text += String(repeating: "=", count: (4 - text.count % 4) % 4)
        guard let data = Data(base64Encoded: text), let plain = String(data: data, encoding: .utf8),
            plain.hasPrefix("p=")
        else { return nil }
        return Int64(plain.dropFirst(2))
    }

    private static let unreserved = CharacterSet(
        charactersIn:
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}

/// A request's query string, decoded as Django decodes it (`+` is a space, `%XX` escapes).
struct QueryParameters {
    let pairs: [(name: String, value: String)]

    init(_ query: String?) {
        pairs = (query ?? "").split(separator: "&").map { item in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (Self.decode(parts[0]), parts.count > 1 ? Self.decode(parts[1]) : "")
        }
    }

    /// The last value given for `name`, `nil` when absent or empty.
    subscript(name: String) -> String? {
        guard let value = pairs.last(where: { $0.name == name })?.value, !value.isEmpty else { return nil }
        return value
    }

    private static func decode(_ text: Substring) -> String {
        // Most names and values need no decoding; Foundation's is slow enough to show in profiles.
        if !text.utf8.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "%") }) { return String(text) }
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
