import JSON
import SchemaRegistry
import Testing

/// Every primitive and logical type on hand-written bytes, and every way bytes can be wrong.
@Suite struct AvroDecoderTests {
    func decode(_ schema: String, _ bytes: [UInt8], limits: AvroDecoder.Limits = .init()) throws -> JSON {
        try AvroDecoder(schema: try AvroSchema.parse(schema), limits: limits).decode(bytes)
    }

    func failure(_ schema: String, _ bytes: [UInt8], limits: AvroDecoder.Limits = .init()) -> AvroDecodeError? {
        do {
            _ = try AvroDecoder(schema: try AvroSchema.parse(schema), limits: limits).decode(bytes)
            return nil
        } catch let error as AvroDecodeError {
            return error
        } catch {
            Issue.record("not a decode error: \(error)")
            return nil
        }
    }

    @Test func primitives() throws {
        #expect(try decode(#""null""#, []) == .null)
        #expect(try decode(#""boolean""#, [1]) == true)
        #expect(try decode(#""boolean""#, [0]) == false)
        // The specification's examples: 0 → 00, -1 → 01, 1 → 02, -2 → 03, -64 → 7f, 64 → 80 01.
        let examples: [([UInt8], Int)] = [
            ([0x00], 0), ([0x01], -1), ([0x02], 1), ([0x03], -2), ([0x7F], -64), ([0x80, 0x01], 64),
        ]
        for (bytes, value) in examples {
            #expect(try decode(#""int""#, bytes) == JSON(value))
            #expect(try decode(#""long""#, bytes) == JSON(value))
        }
        #expect(try decode(#""int""#, AvroBytes.long(Int64(Int32.min))) == JSON(Int32.min))
        #expect(try decode(#""long""#, AvroBytes.long(.max)) == JSON(Int64.max))
        #expect(try decode(#""long""#, AvroBytes.long(.min)) == JSON(Int64.min))
        #expect(try decode(#""float""#, AvroBytes.float(0.1)) == .number("0.1"))
        #expect(try decode(#""float""#, AvroBytes.float(1e8)) == .number("100000000.0"))
        #expect(try decode(#""double""#, AvroBytes.double(-2.5e-10)) == .number("-2.5e-10"))
        #expect(try decode(#""double""#, AvroBytes.double(.nan)) == "NaN")
        #expect(try decode(#""float""#, AvroBytes.float(-.infinity)) == "-Infinity")
        #expect(try decode(#""bytes""#, AvroBytes.bytes([0xFF, 0x00, 0x10])) == "/wAQ")
        #expect(try decode(#""bytes""#, AvroBytes.bytes([])) == "")
        #expect(try decode(#""string""#, [0x06] + Array("foo".utf8)) == "foo")
        #expect(try decode(#""string""#, AvroBytes.string("ação 😀")) == "ação 😀")
    }

    @Test func complexTypes() throws {
        let record =
            #"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "long"}, {"name": "b", "type": "string"}]}"#
        #expect(try decode(record, [0x36] + AvroBytes.string("foo")) == ["a": 27, "b": "foo"])
        #expect(try decode(#"{"type": "enum", "name": "E", "symbols": ["A", "B"]}"#, [0x02]) == "B")
        // Blocks: 2 items, then a block written with a negative count and its byte size, then the end.
        let array: [UInt8] = [0x04, 0x02, 0x04] + [0x01, 0x02, 0x06] + [0x00]
        #expect(try decode(#"{"type": "array", "items": "int"}"#, array) == [1, 2, 3])
        #expect(
            try decode(#"{"type": "map", "values": "int"}"#, [0x02] + AvroBytes.string("k") + [0x02, 0x00]) == ["k": 1])
        #expect(try decode(#"["null", "string"]"#, [0x00]) == .null)
        #expect(try decode(#"["null", "string"]"#, [0x02] + AvroBytes.string("x")) == "x")
        #expect(try decode(#"{"type": "fixed", "name": "F", "size": 3}"#, [1, 2, 3]) == "AQID")
    }

    @Test func logicalTypes() throws {
        let decimal = #"{"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}"#
        #expect(try decode(decimal, AvroBytes.bytes(AvroBytes.twosComplement(-12345))) == .number("-123.45"))
        #expect(try decode(decimal, AvroBytes.bytes(AvroBytes.twosComplement(5))) == .number("0.05"))
        #expect(try decode(decimal, AvroBytes.bytes([])) == .number("0.00"))
        let fixedDecimal =
            #"{"type": "fixed", "name": "D", "size": 4, "logicalType": "decimal", "precision": 9, "scale": 3}"#
        #expect(try decode(fixedDecimal, [0xFF, 0xFF, 0xFF, 0xFF]) == .number("-0.001"))
        #expect(try decode(#"{"type": "int", "logicalType": "date"}"#, AvroBytes.long(19_723)) == "2024-01-01")
        #expect(try decode(#"{"type": "int", "logicalType": "date"}"#, AvroBytes.long(-1)) == "1969-12-31")
        #expect(
            try decode(#"{"type": "int", "logicalType": "time-millis"}"#, AvroBytes.long(3_723_004)) == "01:02:03.004")
        #expect(
            try decode(#"{"type": "long", "logicalType": "time-micros"}"#, AvroBytes.long(3_723_000_005))
                == "01:02:03.000005")
        // Not a time of day: handed on as the number rather than failing the record.
        #expect(try decode(#"{"type": "int", "logicalType": "time-millis"}"#, AvroBytes.long(-5)) == -5)
        let millis = #"{"type": "long", "logicalType": "timestamp-millis"}"#
        #expect(try decode(millis, AvroBytes.long(1_704_067_200_123)) == "2024-01-01T00:00:00.123Z")
        #expect(try decode(millis, AvroBytes.long(-1)) == "1969-12-31T23:59:59.999Z")
        let micros = #"{"type": "long", "logicalType": "timestamp-micros"}"#
        #expect(try decode(micros, AvroBytes.long(1_704_067_200_000_001)) == "2024-01-01T00:00:00.000001Z")
        let local = #"{"type": "long", "logicalType": "local-timestamp-millis"}"#
        #expect(try decode(local, AvroBytes.long(1_704_067_200_123)) == "2024-01-01T00:00:00.123")
        let uuidFixed = #"{"type": "fixed", "name": "U", "size": 16, "logicalType": "uuid"}"#
        #expect(try decode(uuidFixed, Array(0..<16)) == "00010203-0405-0607-0809-0a0b0c0d0e0f")
        #expect(try decode(#"{"type": "string", "logicalType": "uuid"}"#, AvroBytes.string("u")) == "u")
    }

    @Test func debeziumAndConnectTypes() throws {
        func connect(_ base: String, _ name: String) -> String { #"{"type": "\#(base)", "connect.name": "\#(name)"}"# }
        #expect(try decode(connect("int", "io.debezium.time.Date"), AvroBytes.long(0)) == "1970-01-01")
        #expect(
            try decode(connect("long", "io.debezium.time.Timestamp"), AvroBytes.long(1)) == "1970-01-01T00:00:00.001Z")
        #expect(
            try decode(connect("long", "io.debezium.time.MicroTimestamp"), AvroBytes.long(1))
                == "1970-01-01T00:00:00.000001Z")
        #expect(
            try decode(connect("long", "io.debezium.time.NanoTimestamp"), AvroBytes.long(-1))
                == "1969-12-31T23:59:59.999999999Z")
        #expect(try decode(connect("string", "io.debezium.time.ZonedTimestamp"), AvroBytes.string("z")) == "z")
        #expect(try decode(connect("long", "io.debezium.time.MicroTime"), AvroBytes.long(1)) == "00:00:00.000001")
        #expect(
            try decode(connect("long", "org.apache.kafka.connect.data.Timestamp"), AvroBytes.long(0))
                == "1970-01-01T00:00:00.000Z")
        let connectDecimal =
            #"{"type": "bytes", "connect.name": "org.apache.kafka.connect.data.Decimal", "connect.parameters": {"scale": "4"}}"#
        #expect(try decode(connectDecimal, AvroBytes.bytes(AvroBytes.twosComplement(-15))) == .number("-0.0015"))
        let variable = """
            {"type": "record", "name": "VariableScaleDecimal", "namespace": "io.debezium.data",
             "fields": [{"name": "scale", "type": "int"}, {"name": "value", "type": "bytes"}]}
            """
        #expect(
            try decode(variable, AvroBytes.long(3) + AvroBytes.bytes(AvroBytes.twosComplement(1500)))
                == .number("1.500"))
        #expect(
            try decode(variable, AvroBytes.long(-2) + AvroBytes.bytes(AvroBytes.twosComplement(-7))) == .number("-700"))
        // A record of that name with other fields is an ordinary record.
        let lookalike = """
            {"type": "record", "name": "VariableScaleDecimal", "namespace": "io.debezium.data",
             "fields": [{"name": "value", "type": "bytes"}]}
            """
        #expect(try decode(lookalike, AvroBytes.bytes([1])) == ["value": "AQ=="])
    }

    @Test func truncationNamesTheOffsetAndTheValue() throws {
        let schema = """
            {"type": "record", "name": "Envelope", "fields": [
              {"name": "op", "type": "string"},
              {"name": "after", "type": ["null", {"type": "record", "name": "Row", "fields": [
                {"name": "email", "type": "string"}]}]}]}
            """
        let bytes = AvroBytes.string("c") + [0x02] + AvroBytes.long(12) + Array("ana@".utf8)
        let error = try #require(failure(schema, bytes))
        #expect(error.offset == 4)
        #expect(error.path == ["after", "email"])
        #expect(error.description == "at byte 4, reading the string of after.email: the length says 12 bytes, 4 remain")
    }

    @Test func malformedBytesAreErrorsWithReasons() throws {
        #expect(failure(#""long""#, [0x80]).map(\.problem) == "the data ends inside a variable-length integer")
        let eleven = [UInt8](repeating: 0xFF, count: 10) + [0x01]
        #expect(failure(#""long""#, eleven).map(\.problem) == "the variable-length integer overflows 64 bits")
        #expect(failure(#""int""#, AvroBytes.long(Int64(Int32.max) + 1))?.problem.contains("32 bits") == true)
        #expect(failure(#""boolean""#, [2]).map(\.problem) == "the byte 2 is neither 0 nor 1")
        #expect(failure(#""string""#, AvroBytes.bytes([0xC3, 0x28]))?.problem.contains("not valid UTF-8") == true)
        #expect(failure(#""bytes""#, AvroBytes.long(-3))?.problem == "the length -3 is negative")
        #expect(failure(#""double""#, [0, 0, 0])?.problem == "8 bytes needed, 3 remain")
        #expect(
            failure(#"{"type": "enum", "name": "E", "symbols": ["A"]}"#, [0x02])?.problem.contains("outside") == true)
        #expect(failure(#"["null", "int"]"#, [0x04])?.problem == "branch 2 is outside the union's 2 branches")
        #expect(failure(#"["null", "int"]"#, [0x01])?.problem == "branch -1 is outside the union's 2 branches")
        #expect(failure(#""int""#, [0x02, 0x00])?.problem == "1 byte left after the value")
        let decimal = #"{"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}"#
        #expect(
            failure(decimal, AvroBytes.bytes([UInt8](repeating: 1, count: 1025)))?.problem.contains("bounds") == true)
    }

    @Test func limitsBoundRecursionAndItemCounts() throws {
        let list = #"{"type": "record", "name": "Node", "fields": [{"name": "next", "type": ["null", "Node"]}]}"#
        let deep = [UInt8](repeating: 0x02, count: 40) + [0x00]
        #expect(try decode(list, deep, limits: .init(maxDepth: 200)) != .null)
        #expect(failure(list, deep, limits: .init(maxDepth: 30))?.problem == "values nest deeper than 30 levels")
        // A billion nulls cost no bytes; the item budget refuses them.
        let nulls = AvroBytes.long(1_000_000_000) + [0x00]
        let error = failure(#"{"type": "array", "items": "null"}"#, nulls, limits: .init(maxItems: 1000))
        #expect(error?.problem == "1000000000 more items would pass the limit of 1000")
    }
}
