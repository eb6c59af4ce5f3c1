import JSON

// The sandbox shares the project's JSON codec (the `JSON` module) with the worker: reading and
// writing JSON text is infrastructure, not platform behaviour. What the platform makes of a body
// (DRF's checks, its number texts, its member order and messages) stays the sandbox's own, and
// the sandbox still imports nothing from SyncCore, so it remains an independent witness.
enum RequestBody {
    /// Django REST framework's parser (Python's `json`) takes far deeper documents than the
    /// worker's event decoder; this bound is Foundation's, which the sandbox read bodies with first.
    static let maxDepth = 512

    /// A request body as the sandbox reads it; `nil` when it is not JSON, or holds a number
    /// beyond `Double` (`1e400`), which the sandbox has always refused as a parse error.
    static func parse(_ bytes: [UInt8]) -> JSON? {
        guard let body = try? JSON.parse(bytes, maxDepth: maxDepth), numbersFit(body) else { return nil }
        return body
    }

    private static func numbersFit(_ value: JSON) -> Bool {
        switch value {
        case .number(let text): Double(text)?.isFinite == true
        case .array(let items): items.allSatisfy(numbersFit)
        case .object(let members): members.allSatisfy { numbersFit($0.1) }
        case .null, .bool, .string: true
        }
    }
}

extension Optional where Wrapped == String {
    /// A string or JSON `null`.
    var json: JSON { map(JSON.string) ?? .null }
}
