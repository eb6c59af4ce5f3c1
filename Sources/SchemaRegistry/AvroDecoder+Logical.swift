import JSON

extension DecodeRun {
    /// A logical or semantic type: the carrying type's bytes read directly and turned into the
    /// value a sink expects. A time of day outside one day cannot be a time and is handed on as
    /// the number it was written as, rather than failing the whole record for one column.
    mutating func logical(_ logical: AvroLogicalType, base: AvroType, depth: Int) throws(AvroDecodeError) -> JSON {
        switch logical {
        case .decimal(let scale):
            let start = reader.position
            let raw: UnsafeBufferPointer<UInt8>
            if case .fixed(let fixed) = base {
                raw = try reader.take(fixed.size, "decimal fixed \(fixed.fullName)")
            } else {
                raw = try reader.lengthPrefixed("decimal bytes")
            }
            return try decimal(raw, scale: scale, start: start)
        case .date: return .string(TimeText.date(daysSinceEpoch: Int64(try reader.int("date (days)"))))
        case .timeMillis: return Self.time(Int64(try reader.int("time-millis")), unitsPerSecond: 1000)
        case .timeMicros: return Self.time(try reader.long("time-micros"), unitsPerSecond: 1_000_000)
        case .timeNanos: return Self.time(try reader.long("time-nanos"), unitsPerSecond: 1_000_000_000)
        case .timestampMillis: return Self.timestamp(try reader.long("timestamp-millis"), 1000, utc: true)
        case .timestampMicros: return Self.timestamp(try reader.long("timestamp-micros"), 1_000_000, utc: true)
        case .timestampNanos: return Self.timestamp(try reader.long("timestamp-nanos"), 1_000_000_000, utc: true)
        case .localTimestampMillis: return Self.timestamp(try reader.long("local-timestamp-millis"), 1000, utc: false)
        case .localTimestampMicros:
            return Self.timestamp(try reader.long("local-timestamp-micros"), 1_000_000, utc: false)
        case .uuid:
            if case .fixed(let fixed) = base { return .string(BytesText.uuid(try reader.take(fixed.size, "uuid"))) }
            return try value(base, depth: depth)
        case .variableScaleDecimal:
            try enter(depth, "io.debezium.data.VariableScaleDecimal")
            let scale = try reader.int("VariableScaleDecimal scale")
            let start = reader.position
            let raw: UnsafeBufferPointer<UInt8>
            do { raw = try reader.lengthPrefixed("VariableScaleDecimal value") } catch { throw error.inside("value") }
            return try decimal(raw, scale: Int(scale), start: start)
        }
    }

    private func decimal(_ raw: UnsafeBufferPointer<UInt8>, scale: Int, start: Int) throws(AvroDecodeError) -> JSON {
        guard let text = DecimalText.text(unscaled: raw, scale: scale) else {
            throw reader.error(
                "decimal",
                "\(raw.count) bytes at scale \(scale) pass the bounds (at most \(DecimalText.maxBytes) bytes, "
                    + "scale within ±\(DecimalText.maxScale))", at: start)
        }
        return .number(text)
    }

    private static func time(_ value: Int64, unitsPerSecond: Int64) -> JSON {
        TimeText.time(value, unitsPerSecond: unitsPerSecond).map(JSON.string) ?? JSON(value)
    }

    private static func timestamp(_ value: Int64, _ unitsPerSecond: Int64, utc: Bool) -> JSON {
        .string(TimeText.timestamp(value, unitsPerSecond: unitsPerSecond, utc: utc))
    }
}
