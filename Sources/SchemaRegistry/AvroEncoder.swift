public import JSON

/// Writes a JSON value as Avro binary with a schema: the producer side, for `produce --avro`
/// and the demo. It covers what `AvroShape` infers from JSON (records, maps, arrays, unions,
/// the primitives) plus enums; logical types are refused rather than guessed (a producer of
/// real Debezium data uses its own serializer). The decoder is checked against fastavro, not
/// against this.
public struct AvroEncoder: Sendable {
    public let schema: AvroSchema

    public init(schema: AvroSchema) { self.schema = schema }

    public func encode(_ value: JSON) throws(AvroEncodeError) -> [UInt8] {
        var out: [UInt8] = []
        try write(value, schema.root, path: "", into: &out)
        return out
    }

    private func write(_ value: JSON, _ type: AvroType, path: String, into out: inout [UInt8])
        throws(AvroEncodeError)
    {
        func mismatch() -> AvroEncodeError { AvroEncodeError(path: path, problem: "is not a \(type.typeName)") }
        switch (type, value) {
        case (.null, .null): return
        case (.boolean, .bool(let flag)): out.append(flag ? 1 : 0)
        case (.int, .number(let text)), (.long, .number(let text)):
            guard let number = Int64(text) else { throw mismatch() }
            if case .int = type, Int32(exactly: number) == nil { throw mismatch() }
            Self.long(number, into: &out)
        case (.float, .number(let text)):
            guard let number = Float(text) else { throw mismatch() }
            withUnsafeBytes(of: number.bitPattern.littleEndian) { out.append(contentsOf: $0) }
        case (.double, .number(let text)):
            guard let number = Double(text) else { throw mismatch() }
            withUnsafeBytes(of: number.bitPattern.littleEndian) { out.append(contentsOf: $0) }
        case (.string, .string(let text)):
            Self.long(Int64(text.utf8.count), into: &out)
            out.append(contentsOf: text.utf8)
        case (.enumeration(let enumeration), .string(let symbol)):
            guard let index = enumeration.symbols.firstIndex(of: symbol) else { throw mismatch() }
            Self.long(Int64(index), into: &out)
        case (.record(let record), .object):
            for field in record.fields {
                try write(value[field.name] ?? .null, field.type, path: path + "/" + field.name, into: &out)
            }
        case (.array(let items), .array(let elements)):
            if !elements.isEmpty { Self.long(Int64(elements.count), into: &out) }
            for (index, element) in elements.enumerated() {
                try write(element, items, path: path + "/\(index)", into: &out)
            }
            out.append(0)
        case (.map(let values), .object(let members)):
            if !members.isEmpty { Self.long(Int64(members.count), into: &out) }
            for (key, member) in members {
                Self.long(Int64(key.utf8.count), into: &out)
                out.append(contentsOf: key.utf8)
                try write(member, values, path: path + "/" + key, into: &out)
            }
            out.append(0)
        case (.union(let branches), _):
            guard let index = branches.firstIndex(where: { accepts($0, value) }) else { throw mismatch() }
            Self.long(Int64(index), into: &out)
            try write(value, branches[index], path: path, into: &out)
        case (.named(let name), _):
            guard let definition = schema.namedTypes[name] else {
                throw AvroEncodeError(path: path, problem: "refers to \(name), which the schema does not define")
            }
            try write(value, definition, path: path, into: &out)
        case (.logical(let logical, _), _):
            throw AvroEncodeError(
                path: path, problem: "has the logical type \(logical), which this encoder does not write")
        default:
            throw mismatch()
        }
    }

    /// Whether a union branch takes `value` (the first that does is written, as Avro's JSON
    /// encoders pick by the value's kind).
    private func accepts(_ type: AvroType, _ value: JSON) -> Bool {
        switch (type, value) {
        case (.null, .null), (.boolean, .bool), (.string, .string), (.array, .array), (.record, .object),
            (.map, .object):
            return true
        case (.int, .number(let text)), (.long, .number(let text)): return Int64(text) != nil
        case (.float, .number), (.double, .number): return true
        case (.enumeration(let enumeration), .string(let symbol)): return enumeration.symbols.contains(symbol)
        case (.named(let name), _): return schema.namedTypes[name].map { accepts($0, value) } ?? false
        default: return false
        }
    }

    /// Zig-zag, then base-128 little-endian groups, as Avro writes `int` and `long`.
    static func long(_ value: Int64, into out: inout [UInt8]) {
        var zigzag = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        while zigzag >= 0x80 {
            out.append(UInt8(zigzag & 0x7F) | 0x80)
            zigzag >>= 7
        }
        out.append(UInt8(zigzag))
    }
}

/// A value that does not fit the schema it is written with: where (a JSON pointer) and why.
public struct AvroEncodeError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let problem: String
    public var description: String { "the value at \(path.isEmpty ? "/" : path) \(problem)" }
}
