public import JSON

/// Decodes Avro binary data with its writer's schema into the JSON tree a sink receives from
/// Kafka Connect's AvroConverter: unions unwrapped to the branch's value, records as objects
/// (fields in schema order), enums as their symbol, maps as objects, `bytes` and `fixed` as
/// base64 text, decimals as exact number text, dates, times and timestamps as ISO 8601 text.
public struct AvroDecoder: Sendable {
    public struct Limits: Sendable {
        /// Records, arrays, maps and unions nested deeper than this are refused (a recursive
        /// schema lets the data choose the depth).
        public var maxDepth: Int
        /// Array items and map entries in one value, together: items of a zero-width type (null,
        /// an empty record) cost no bytes, so the data's length alone does not bound them.
        public var maxItems: Int

        public init(maxDepth: Int = 64, maxItems: Int = 1 << 20) {
            self.maxDepth = maxDepth
            self.maxItems = maxItems
        }
    }

    public let schema: AvroSchema
    public let limits: Limits

    public init(schema: AvroSchema, limits: Limits = Limits()) {
        self.schema = schema
        self.limits = limits
    }

    /// Decodes one value that fills `bytes` from `start` to the end; trailing bytes are an error.
    /// Offsets in errors count from the start of `bytes` (so from the framing's magic byte when
    /// handed a whole record).
    public func decode(_ bytes: [UInt8], from start: Int = 0) throws(AvroDecodeError) -> JSON {
        try bytes.withUnsafeBufferPointer { buffer throws(AvroDecodeError) in
            guard start <= buffer.count else {
                throw AvroDecodeError(offset: buffer.count, reading: "value", problem: "the data ends before it starts")
            }
            var run = DecodeRun(schema: schema, limits: limits, reader: AvroReader(bytes: buffer, position: start))
            let value = try run.value(schema.root, depth: 0)
            guard run.reader.remaining == 0 else {
                let left = run.reader.remaining
                throw run.reader.error("end of the value", "\(left) byte\(left == 1 ? "" : "s") left after the value")
            }
            return value
        }
    }
}

/// One decoding pass: the reader, and the item budget it has spent.
struct DecodeRun {
    let schema: AvroSchema
    let limits: AvroDecoder.Limits
    var reader: AvroReader
    var items = 0

    init(schema: AvroSchema, limits: AvroDecoder.Limits, reader: AvroReader) {
        self.schema = schema
        self.limits = limits
        self.reader = reader
    }

    mutating func value(_ type: AvroType, depth: Int) throws(AvroDecodeError) -> JSON {
        switch type {
        case .null: return .null
        case .boolean:
            let start = reader.position
            switch try reader.byte("boolean") {
            case 0: return .bool(false)
            case 1: return .bool(true)
            case let other: throw reader.error("boolean", "the byte \(other) is neither 0 nor 1", at: start)
            }
        case .int: return JSON(try reader.int("int"))
        case .long: return JSON(try reader.long("long"))
        case .float: return Self.number(Float(bitPattern: try reader.littleEndian(UInt32.self, "float")))
        case .double: return Self.number(Double(bitPattern: try reader.littleEndian(UInt64.self, "double")))
        case .bytes: return .string(BytesText.base64(try reader.lengthPrefixed("bytes")))
        case .string: return .string(try string("string"))
        case .fixed(let fixed): return .string(BytesText.base64(try reader.take(fixed.size, "fixed \(fixed.fullName)")))
        case .enumeration(let enumeration):
            let start = reader.position
            let index = try reader.int("enum \(enumeration.fullName) index")
            guard index >= 0, Int(index) < enumeration.symbols.count else {
                throw reader.error(
                    "enum \(enumeration.fullName) index",
                    "index \(index) is outside the \(enumeration.symbols.count) symbols", at: start)
            }
            return .string(enumeration.symbols[Int(index)])
        case .record(let record): return try self.record(record, depth: depth)
        case .array(let items): return .array(try array(items, depth: depth))
        case .map(let values): return .object(try map(values, depth: depth))
        case .union(let branches): return try union(branches, depth: depth)
        case .named(let name):
            guard let definition = schema.namedTypes[name] else {
                throw reader.error("value", "the schema refers to \(name), which it does not define")
            }
            return try value(definition, depth: depth)
        case .logical(let logical, let base): return try self.logical(logical, base: base, depth: depth)
        }
    }

    mutating func enter(_ depth: Int, _ reading: String) throws(AvroDecodeError) {
        guard depth < limits.maxDepth else {
            throw reader.error(reading, "values nest deeper than \(limits.maxDepth) levels")
        }
    }

    mutating func string(_ reading: String) throws(AvroDecodeError) -> String {
        let start = reader.position
        let raw = try reader.lengthPrefixed(reading)
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw reader.error(reading, "the \(raw.count) bytes are not valid UTF-8", at: start)
        }
        return text
    }

    mutating func record(_ record: AvroRecord, depth: Int) throws(AvroDecodeError) -> JSON {
        try enter(depth, "record \(record.fullName)")
        var members: [(String, JSON)] = []
        members.reserveCapacity(record.fields.count)
        for field in record.fields {
            do { members.append((field.name, try value(field.type, depth: depth + 1))) } catch {
                throw error.inside(field.name)
            }
        }
        return .object(members)
    }

    /// The blocks of an array or a map: a count (negative: followed by the block's byte size),
    /// that many items, until a count of 0.
    mutating func blocks(_ reading: String, item: (inout DecodeRun, Int) throws(AvroDecodeError) -> Void)
        throws(AvroDecodeError)
    {
        var index = 0
        while true {
            let start = reader.position
            var count = try reader.long("\(reading) block count")
            if count == 0 { return }
            if count < 0 {
                guard count != .min else {
                    throw reader.error("\(reading) block count", "the count overflows", at: start)
                }
                count = -count
                let size = try reader.long("\(reading) block size")
                guard size >= 0 else { throw reader.error("\(reading) block size", "the size \(size) is negative") }
            }
            guard count <= limits.maxItems - items else {
                throw reader.error(
                    "\(reading) block count", "\(count) more items would pass the limit of \(limits.maxItems)",
                    at: start)
            }
            items += Int(count)
            for _ in 0..<count {
                try item(&self, index)
                index += 1
            }
        }
    }

    mutating func array(_ itemType: AvroType, depth: Int) throws(AvroDecodeError) -> [JSON] {
        try enter(depth, "array")
        var values: [JSON] = []
        try blocks("array") { run, index throws(AvroDecodeError) in
            do throws(AvroDecodeError) { values.append(try run.value(itemType, depth: depth + 1)) } catch {
                throw error.inside("[\(index)]")
            }
        }
        return values
    }

    mutating func map(_ valueType: AvroType, depth: Int) throws(AvroDecodeError) -> [(String, JSON)] {
        try enter(depth, "map")
        var members: [(String, JSON)] = []
        try blocks("map") { run, index throws(AvroDecodeError) in
            // Keys are not named in errors: they may be personal data.
            do throws(AvroDecodeError) {
                members.append((try run.string("map key"), try run.value(valueType, depth: depth + 1)))
            } catch {
                throw error.inside("{entry \(index)}")
            }
        }
        return members
    }

    mutating func union(_ branches: [AvroType], depth: Int) throws(AvroDecodeError) -> JSON {
        try enter(depth, "union")
        let start = reader.position
        let index = try reader.long("union branch index")
        guard index >= 0, index < branches.count else {
            throw reader.error(
                "union branch index", "branch \(index) is outside the union's \(branches.count) branches", at: start)
        }
        // Connect's converter hands a sink the branch's value itself.
        return try value(branches[Int(index)], depth: depth + 1)
    }

    /// A float as the shortest digits that read back to the same `float` (`0.1`, not
    /// `0.10000000149011612`), laid out as a `double` with those digits is (so `1e8` is
    /// `100000000.0` in either type).
    static func number(_ value: Float) -> JSON {
        guard value.isFinite else { return nonFinite(value) }
        return .number(Double(value.description).map(\.description) ?? value.description)
    }

    /// A double as the shortest text that reads back to it.
    static func number(_ value: Double) -> JSON { value.isFinite ? .number(value.description) : nonFinite(value) }

    /// NaN and the infinities, which JSON numbers cannot hold, as the strings Java gives them.
    static func nonFinite(_ value: some FloatingPoint) -> JSON {
        value.isNaN ? .string("NaN") : .string(value < 0 ? "-Infinity" : "Infinity")
    }
}
