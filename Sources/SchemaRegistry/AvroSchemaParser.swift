public import JSON

/// Why a schema text is not an Avro schema this decoder can use, and where in the text.
public struct AvroSchemaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the problem is, e.g. `record com.acme.Customer, field email`; empty for the top.
    public let place: String
    public let problem: String

    public init(place: String, problem: String) {
        self.place = place
        self.problem = problem
    }

    public var description: String { place.isEmpty ? problem : "\(problem) (at \(place))" }
}

extension AvroSchema {
    /// Deepest nesting of types a schema may have: a bound keeps a hostile schema from
    /// exhausting the stack (real schemas nest a handful of records).
    public static let maxSchemaDepth = 128

    /// Parses Avro schema JSON text (the `schema` member of a registry answer).
    /// - Parameter known: named types defined by the schemas this one references (Confluent
    ///   schema references), by full name; the result's `namedTypes` holds them too.
    public static func parse(_ text: String, known: [String: AvroType] = [:]) throws(AvroSchemaError) -> AvroSchema {
        let json: JSON
        // Schema JSON nests three or four levels per record; the reader's default of 64 is for events.
        do { json = try JSON.parse(Array(text.utf8), maxDepth: 4 * maxSchemaDepth) } catch {
            throw AvroSchemaError(place: "", problem: "the schema is not JSON: \(error)")
        }
        return try parse(json: json, known: known)
    }

    /// Parses an Avro schema already read as JSON.
    public static func parse(json: JSON, known: [String: AvroType] = [:]) throws(AvroSchemaError) -> AvroSchema {
        var parser = AvroSchemaParser(named: known)
        let root = try parser.type(json, namespace: nil, place: "", depth: 0)
        return AvroSchema(root: root, namedTypes: parser.named)
    }
}

/// Reads schema JSON into `AvroType`s, keeping the named types defined so far.
struct AvroSchemaParser {
    /// Named types fully read, by full name.
    var named: [String: AvroType]
    /// Names declared, including records still being read (so their fields can refer to them).
    var declared: Set<String>

    init(named: [String: AvroType]) {
        self.named = named
        declared = Set(named.keys)
    }

    static let primitives: [String: AvroType] = [
        "null": .null, "boolean": .boolean, "int": .int, "long": .long, "float": .float, "double": .double,
        "bytes": .bytes, "string": .string,
    ]

    mutating func type(_ json: JSON, namespace: String?, place: String, depth: Int) throws(AvroSchemaError) -> AvroType
    {
        guard depth < AvroSchema.maxSchemaDepth else {
            throw AvroSchemaError(place: place, problem: "types nest deeper than \(AvroSchema.maxSchemaDepth) levels")
        }
        switch json {
        case .string(let name): return try reference(name, namespace: namespace, place: place)
        case .array(let branches):
            var types: [AvroType] = []
            for (index, branch) in branches.enumerated() {
                types.append(
                    try type(branch, namespace: namespace, place: "\(place) union branch \(index)", depth: depth + 1))
            }
            return .union(types)
        case .object: return try complex(json, namespace: namespace, place: place, depth: depth)
        default:
            throw AvroSchemaError(place: place, problem: "a type must be a name, an object or a union array")
        }
    }

    /// A type name: a primitive, or a named type declared earlier (in this namespace, then as written).
    func reference(_ name: String, namespace: String?, place: String) throws(AvroSchemaError) -> AvroType {
        if let primitive = Self.primitives[name] { return primitive }
        if !name.contains("."), let namespace, !namespace.isEmpty, declared.contains("\(namespace).\(name)") {
            return .named("\(namespace).\(name)")
        }
        if declared.contains(name) { return .named(name) }
        throw AvroSchemaError(
            place: place, problem: "type \"\(name)\" is neither a primitive nor a named type defined before it")
    }

    mutating func complex(_ json: JSON, namespace: String?, place: String, depth: Int) throws(AvroSchemaError)
        -> AvroType
    {
        guard let typeMember = json["type"] else {
            throw AvroSchemaError(place: place, problem: "a type object needs a \"type\" member")
        }
        guard case .string(let kind) = typeMember else {
            // `{"type": {...}}`: a wrapped definition, which some writers produce; the outer
            // object may still carry a logical type.
            let inner = try type(typeMember, namespace: namespace, place: place, depth: depth + 1)
            return AvroLogicalAnnotation.apply(json, to: inner)
        }
        let base: AvroType
        switch kind {
        case "record", "error": base = try record(json, namespace: namespace, place: place, depth: depth)
        case "enum": base = try enumeration(json, namespace: namespace, place: place)
        case "fixed": base = try fixed(json, namespace: namespace, place: place)
        case "array":
            guard let items = json["items"] else {
                throw AvroSchemaError(place: place, problem: "an array type needs \"items\"")
            }
            base = .array(items: try type(items, namespace: namespace, place: "\(place) items", depth: depth + 1))
        case "map":
            guard let values = json["values"] else {
                throw AvroSchemaError(place: place, problem: "a map type needs \"values\"")
            }
            base = .map(values: try type(values, namespace: namespace, place: "\(place) values", depth: depth + 1))
        default: base = try reference(kind, namespace: namespace, place: place)
        }
        switch base {
        case .record, .enumeration, .fixed: return base  // annotated and registered where defined
        default: return AvroLogicalAnnotation.apply(json, to: base)
        }
    }

    /// The full name and namespace a named type's `name` and `namespace` members give it.
    func fullName(_ json: JSON, enclosing: String?, place: String, kind: String) throws(AvroSchemaError) -> (
        name: String, namespace: String?
    ) {
        guard let name = json["name"]?.string, !name.isEmpty else {
            throw AvroSchemaError(place: place, problem: "a \(kind) needs a non-empty \"name\"")
        }
        let full: String
        if name.contains(".") {
            full = name
        } else {
            let namespace = json["namespace"]?.string ?? enclosing
            full = namespace.map { $0.isEmpty ? name : "\($0).\(name)" } ?? name
        }
        let parts = full.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.allSatisfy(Self.isValidName) else {
            throw AvroSchemaError(place: place, problem: "\"\(full)\" is not a valid Avro name")
        }
        guard Self.primitives[full] == nil, !declared.contains(full) else {
            throw AvroSchemaError(place: place, problem: "the name \"\(full)\" is defined twice")
        }
        let namespace = full.contains(".") ? String(full[..<full.lastIndex(of: ".")!]) : nil
        return (full, namespace)
    }

    /// `[A-Za-z_][A-Za-z0-9_]*`, as the specification requires of every part of a name.
    static func isValidName(_ part: Substring) -> Bool {
        guard let first = part.utf8.first, first == UInt8(ascii: "_") || isLetter(first) else { return false }
        return part.utf8.allSatisfy { $0 == UInt8(ascii: "_") || isLetter($0) || (48...57).contains($0) }
    }

    private static func isLetter(_ byte: UInt8) -> Bool { (65...90).contains(byte) || (97...122).contains(byte) }

    mutating func record(_ json: JSON, namespace: String?, place: String, depth: Int) throws(AvroSchemaError)
        -> AvroType
    {
        let (full, inner) = try fullName(json, enclosing: namespace, place: place, kind: "record")
        let here = "record \(full)"
        // Declared before its fields are read: a field may refer to the record itself.
        declared.insert(full)
        guard case .array(let fieldList)? = json["fields"] else {
            throw AvroSchemaError(place: here, problem: "a record needs a \"fields\" array")
        }
        var fields: [AvroRecord.Field] = []
        var seen = Set<String>()
        for (index, field) in fieldList.enumerated() {
            guard let name = field["name"]?.string, !name.isEmpty else {
                throw AvroSchemaError(place: "\(here), field \(index)", problem: "a field needs a non-empty \"name\"")
            }
            guard seen.insert(name).inserted else {
                throw AvroSchemaError(place: here, problem: "the field \"\(name)\" appears twice")
            }
            guard let fieldType = field["type"] else {
                throw AvroSchemaError(place: "\(here), field \(name)", problem: "a field needs a \"type\"")
            }
            let type = try type(fieldType, namespace: inner, place: "\(here), field \(name)", depth: depth + 1)
            fields.append(AvroRecord.Field(name: name, type: type))
        }
        let record = AvroType.record(AvroRecord(fullName: full, fields: fields))
        let annotated = AvroLogicalAnnotation.apply(json, to: record)
        named[full] = annotated
        return annotated
    }

    mutating func enumeration(_ json: JSON, namespace: String?, place: String) throws(AvroSchemaError) -> AvroType {
        let (full, _) = try fullName(json, enclosing: namespace, place: place, kind: "enum")
        guard case .array(let symbolList)? = json["symbols"] else {
            throw AvroSchemaError(place: "enum \(full)", problem: "an enum needs a \"symbols\" array")
        }
        var symbols: [String] = []
        for symbol in symbolList {
            guard let text = symbol.string, !symbols.contains(text) else {
                throw AvroSchemaError(place: "enum \(full)", problem: "symbols must be distinct strings")
            }
            symbols.append(text)
        }
        let type = AvroType.enumeration(AvroEnum(fullName: full, symbols: symbols))
        declared.insert(full)
        named[full] = type
        return type
    }

    mutating func fixed(_ json: JSON, namespace: String?, place: String) throws(AvroSchemaError) -> AvroType {
        let (full, _) = try fullName(json, enclosing: namespace, place: place, kind: "fixed")
        guard case .number(let text)? = json["size"], let size = Int(text), size >= 0 else {
            throw AvroSchemaError(
                place: "fixed \(full)", problem: "a fixed needs a \"size\" that is a whole number ≥ 0")
        }
        let type = AvroLogicalAnnotation.apply(json, to: .fixed(AvroFixed(fullName: full, size: size)))
        declared.insert(full)
        named[full] = type
        return type
    }
}
