import JSON

/// Reads the logical type of a type object: Kafka Connect's `connect.name` first (Debezium and
/// Connect semantic types, which a sink receives as values), then Avro's `logicalType`.
///
/// As the specification asks, an annotation that does not fit its type (a `date` on a string,
/// a decimal whose scale exceeds its precision) is ignored: the type is read as it is carried.
enum AvroLogicalAnnotation {
    static func apply(_ json: JSON, to base: AvroType) -> AvroType {
        if let semantic = json["connect.name"]?.string ?? recordName(base),
            let logical = connectType(semantic, json: json, base: base)
        {
            return .logical(logical, base)
        }
        if let name = json["logicalType"]?.string, let logical = avroType(name, json: json, base: base) {
            return .logical(logical, base)
        }
        return base
    }

    private static func recordName(_ base: AvroType) -> String? {
        if case .record(let record) = base { record.fullName } else { nil }
    }

    static func avroType(_ name: String, json: JSON, base: AvroType) -> AvroLogicalType? {
        switch (name, base) {
        case ("decimal", .bytes), ("decimal", .fixed):
            let scale = integer(json["scale"]) ?? 0
            guard scale >= 0 else { return nil }
            if let precision = integer(json["precision"]), precision < 1 || scale > precision { return nil }
            return .decimal(scale: scale)
        case ("date", .int): return .date
        case ("time-millis", .int): return .timeMillis
        case ("time-micros", .long): return .timeMicros
        case ("timestamp-millis", .long): return .timestampMillis
        case ("timestamp-micros", .long): return .timestampMicros
        case ("timestamp-nanos", .long): return .timestampNanos
        case ("local-timestamp-millis", .long): return .localTimestampMillis
        case ("local-timestamp-micros", .long): return .localTimestampMicros
        case ("uuid", .string): return .uuid
        case ("uuid", .fixed(let fixed)) where fixed.size == 16: return .uuid
        default: return nil
        }
    }

    static func connectType(_ name: String, json: JSON, base: AvroType) -> AvroLogicalType? {
        switch (name, base) {
        case ("io.debezium.time.Date", .int), ("org.apache.kafka.connect.data.Date", .int): return .date
        case ("io.debezium.time.Time", .int), ("org.apache.kafka.connect.data.Time", .int): return .timeMillis
        case ("io.debezium.time.MicroTime", .long): return .timeMicros
        case ("io.debezium.time.NanoTime", .long): return .timeNanos
        case ("io.debezium.time.Timestamp", .long), ("org.apache.kafka.connect.data.Timestamp", .long):
            return .timestampMillis
        case ("io.debezium.time.MicroTimestamp", .long): return .timestampMicros
        case ("io.debezium.time.NanoTimestamp", .long): return .timestampNanos
        case ("org.apache.kafka.connect.data.Decimal", .bytes), ("org.apache.kafka.connect.data.Decimal", .fixed):
            // Connect keeps the scale in its parameters, as text; Confluent's converter also
            // writes Avro's `scale`, which is the fallback.
            let text = json["connect.parameters"]?["scale"]?.scalarText
            guard let scale = text.flatMap({ Int($0) }) ?? integer(json["scale"]) else { return nil }
            return .decimal(scale: scale)
        case ("io.debezium.data.VariableScaleDecimal", .record(let record)):
            // Debezium writes `scale` then `value`; the decoder reads them in that order.
            guard record.fields.count == 2, record.fields[0].name == "scale", record.fields[0].type == .int,
                record.fields[1].name == "value", record.fields[1].type == .bytes
            else { return nil }
            return .variableScaleDecimal
        default: return nil
        }
    }

    private static func integer(_ json: JSON?) -> Int? {
        if case .number(let text)? = json { Int(text) } else { nil }
    }
}
