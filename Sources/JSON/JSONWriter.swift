/// How `JSON.serialized` lays a document out.
public struct JSONWriteOptions: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Object members by name (code point order, equal names as they came) instead of as held:
    /// log lines and listings whose members come from dictionaries read the same every time.
    public static let sortedKeys = JSONWriteOptions(rawValue: 1)
}

extension JSON {
    /// Compact JSON text (no spaces, as Django REST framework writes it): strings escaped as
    /// Python's `json.dumps` escapes them with `ensure_ascii=False`, numbers as held.
    public func serialized(_ options: JSONWriteOptions = []) -> String {
        String(decoding: serializedBytes(options), as: UTF8.self)
    }

    /// `serialized(options)` as UTF-8 bytes.
    public func serializedBytes(_ options: JSONWriteOptions = []) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        write(to: &out, options)
        return out
    }

    /// `text` as a JSON string literal, quotes included.
    public static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 2)
        writeString(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private func write(to out: inout [UInt8], _ options: JSONWriteOptions) {
        switch self {
        case .null: out += "null".utf8
        case .bool(let flag): out += (flag ? "true" : "false").utf8
        case .number(let text): out += text.utf8
        case .string(let text): Self.writeString(text, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                item.write(to: &out, options)
            }
            out.append(UInt8(ascii: "]"))
        case .object(var members):
            if options.contains(.sortedKeys) {
                // Sorted with the position as a tie-break: `sort` does not promise stability.
                members = members.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }
                    .map(\.element)
            }
            out.append(UInt8(ascii: "{"))
            for (index, (name, value)) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(name, to: &out)
                out.append(UInt8(ascii: ":"))
                value.write(to: &out, options)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Only `"`, `\` and the C0 controls are escaped; everything else, non-BMP scalars included,
    /// is copied as its UTF-8 bytes (a Swift string is valid UTF-8, so the copy is too).
    private static func writeString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                out += UnsafeBufferPointer(rebasing: bytes[start..<index])
                appendEscape(of: byte, to: &out)
                start = index + 1
            }
            out += UnsafeBufferPointer(rebasing: bytes[start...])
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func appendEscape(of byte: UInt8, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
        case 0x08: out.append(UInt8(ascii: "b"))
        case 0x0C: out.append(UInt8(ascii: "f"))
        case 0x0A: out.append(UInt8(ascii: "n"))
        case 0x0D: out.append(UInt8(ascii: "r"))
        case 0x09: out.append(UInt8(ascii: "t"))
        default:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            out += [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
        }
    }
}
