/// A parsed Avro schema: the writer's schema a record was encoded with.
///
/// Named types (records, enums, fixed) are written out in full where the schema text defines
/// them and as `.named` references after that, as the text has them; `namedTypes` holds every
/// definition by full name, so a recursive record (a list node holding the next node) needs no
/// reference cycle between values.
public struct AvroSchema: Sendable {
    public let root: AvroType
    /// Every named type the schema (and the schemas it references) defines, by full name.
    public let namedTypes: [String: AvroType]

    public init(root: AvroType, namedTypes: [String: AvroType]) {
        self.root = root
        self.namedTypes = namedTypes
    }
}

/// One Avro type, as the Avro 1.12 specification describes it.
public indirect enum AvroType: Sendable, Equatable {
    case null
    case boolean
    case int
    case long
    case float
    case double
    case bytes
    case string
    case record(AvroRecord)
    case enumeration(AvroEnum)
    case array(items: AvroType)
    case map(values: AvroType)
    case union([AvroType])
    case fixed(AvroFixed)
    /// A named type defined earlier in the text (or the enclosing record, for recursion), by full name.
    case named(String)
    /// A logical or Connect/Debezium semantic type over the type that carries its bytes.
    case logical(AvroLogicalType, AvroType)

    /// The name a union branch or an error message calls this type by.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .boolean: "boolean"
        case .int: "int"
        case .long: "long"
        case .float: "float"
        case .double: "double"
        case .bytes: "bytes"
        case .string: "string"
        case .record(let record): record.fullName
        case .enumeration(let enumeration): enumeration.fullName
        case .array: "array"
        case .map: "map"
        case .union: "union"
        case .fixed(let fixed): fixed.fullName
        case .named(let name): name
        case .logical(let logical, let base): "\(base.typeName) (\(logical))"
        }
    }
}

public struct AvroRecord: Sendable, Equatable {
    public struct Field: Sendable, Equatable {
        public let name: String
        public let type: AvroType
        public init(name: String, type: AvroType) {
            self.name = name
            self.type = type
        }
    }

    public let fullName: String
    public let fields: [Field]

    public init(fullName: String, fields: [Field]) {
        self.fullName = fullName
        self.fields = fields
    }
}

public struct AvroEnum: Sendable, Equatable {
    public let fullName: String
    public let symbols: [String]

    public init(fullName: String, symbols: [String]) {
        self.fullName = fullName
        self.symbols = symbols
    }
}

public struct AvroFixed: Sendable, Equatable {
    public let fullName: String
    public let size: Int

    public init(fullName: String, size: Int) {
        self.fullName = fullName
        self.size = size
    }
}

/// The logical types of the Avro specification, and the Kafka Connect and Debezium semantic
/// types (`connect.name`) that a sink receives as values rather than as raw numbers.
public enum AvroLogicalType: Sendable, Equatable, CustomStringConvertible {
    /// Two's-complement big-endian unscaled value in `bytes` or `fixed`; also Connect's `Decimal`.
    case decimal(scale: Int)
    /// Days since 1970-01-01 in an `int`: Avro `date`, `io.debezium.time.Date`, Connect `Date`.
    case date
    /// Milliseconds after midnight in an `int`: `time-millis`, `io.debezium.time.Time`, Connect `Time`.
    case timeMillis
    /// Microseconds after midnight in a `long`: `time-micros`, `io.debezium.time.MicroTime`.
    case timeMicros
    /// Nanoseconds after midnight in a `long`: `io.debezium.time.NanoTime`.
    case timeNanos
    /// Milliseconds since the epoch, UTC, in a `long`: `timestamp-millis`, `io.debezium.time.Timestamp`,
    /// Connect `Timestamp`.
    case timestampMillis
    /// Microseconds since the epoch, UTC: `timestamp-micros`, `io.debezium.time.MicroTimestamp`.
    case timestampMicros
    /// Nanoseconds since the epoch, UTC: `timestamp-nanos`, `io.debezium.time.NanoTimestamp`.
    case timestampNanos
    /// A wall-clock time with no zone, milliseconds since 1970-01-01T00:00 in a `long`.
    case localTimestampMillis
    /// As `localTimestampMillis`, in microseconds.
    case localTimestampMicros
    /// A UUID: text in a `string` (passed through), or 16 bytes in a `fixed` (written as text).
    case uuid
    /// `io.debezium.data.VariableScaleDecimal`: a record `{scale: int, value: bytes}`.
    case variableScaleDecimal

    public var description: String {
        switch self {
        case .decimal(let scale): "decimal, scale \(scale)"
        case .date: "date"
        case .timeMillis: "time-millis"
        case .timeMicros: "time-micros"
        case .timeNanos: "time-nanos"
        case .timestampMillis: "timestamp-millis"
        case .timestampMicros: "timestamp-micros"
        case .timestampNanos: "timestamp-nanos"
        case .localTimestampMillis: "local-timestamp-millis"
        case .localTimestampMicros: "local-timestamp-micros"
        case .uuid: "uuid"
        case .variableScaleDecimal: "io.debezium.data.VariableScaleDecimal"
        }
    }
}
