public import JSON

/// Infers an Avro schema from one JSON value, so that any JSON event can be sent framed
/// (`produce --avro`, the demo) and decodes back to the same JSON: objects whose member names
/// are Avro names become records (members in order), other objects maps; integers `long`,
/// other numbers `double`; arrays and maps of mixed values unions. Events of one shape share a
/// schema, as a producer's generated classes would; each new shape is a new schema version.
public enum AvroShape {
    /// The schema of `value`, records named after `name` and their path.
    /// - Throws: `AvroEncodeError` when no Avro schema keeps the value's JSON (an array mixing
    ///   two objects of different member names, say).
    public static func schema(of value: JSON, name: String) throws(AvroEncodeError) -> JSON {
        try shape(value, name: sanitized(name), path: "")
    }

    private static func shape(_ value: JSON, name: String, path: String) throws(AvroEncodeError) -> JSON {
        switch value {
        case .null: return "null"
        case .bool: return "boolean"
        case .number(let text): return Int64(text) != nil ? "long" : "double"
        case .string: return "string"
        case .array(let items):
            return ["type": "array", "items": try union(items, name: name + "_item", path: path)]
        case .object(let members):
            let names = members.map(\.0)
            guard names.allSatisfy(isAvroName), Set(names).count == names.count else {
                return ["type": "map", "values": try union(members.map(\.1), name: name + "_value", path: path)]
            }
            var fields: [JSON] = []
            for (member, inner) in members {
                let type = try shape(inner, name: name + "_" + member, path: path + "/" + member)
                fields.append(["name": .string(member), "type": type])
            }
            return ["type": "record", "name": .string(name), "fields": .array(fields)]
        }
    }

    /// One schema for all of `values`: the shared shape, or a union of the distinct ones (a
    /// union holds one record, one map and one array at most, so they all take `name`).
    private static func union(_ values: [JSON], name: String, path: String) throws(AvroEncodeError) -> JSON {
        var distinct: [JSON] = []
        for (index, value) in values.enumerated() {
            let candidate = try shape(value, name: name, path: path + "/\(index)")
            let kind = candidate.string ?? candidate["type"]?.string ?? "?"
            if let same = distinct.first(where: { ($0.string ?? $0["type"]?.string) == kind }) {
                guard same == candidate else {
                    throw AvroEncodeError(
                        path: path,
                        problem: "mixes two \(kind)s of different shapes, which no Avro union can hold apart")
                }
                continue
            }
            distinct.append(candidate)
        }
        switch distinct.count {
        case 0: return "null"
        case 1: return distinct[0]
        default: return .array(distinct)
        }
    }

    static func isAvroName(_ text: String) -> Bool {
        guard let first = text.utf8.first, first == UInt8(ascii: "_") || isLetter(first) else { return false }
        return text.utf8.allSatisfy { $0 == UInt8(ascii: "_") || isLetter($0) || ($0 >= 48 && $0 <= 57) }
    }

    private static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 97 && (byte | 0x20) <= 122 }

    /// `customers.events-v1` → `customers_events_v1`: a topic name as a record name.
    static func sanitized(_ name: String) -> String {
        let mapped = String(
            String.UnicodeScalarView(
                name.unicodeScalars.map { scalar in
                    scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)) ? scalar : "_"
                }))
        return isAvroName(mapped) ? mapped : "_" + mapped
    }
}
