import Foundation
import JSON
import PropertyBased
import SchemaRegistry
import Testing

/// Properties over generated numbers and bytes, each against a witness that shares no code with
/// the decoder: the spec's zig-zag written by hand, Foundation's Gregorian calendar, and
/// schoolbook decimal arithmetic for big decimals.
@Suite struct AvroPropertyTests {
    /// The decoded value, `nil` for a decode error (property bodies check values, not errors).
    func decode(_ schema: String, _ bytes: [UInt8]) -> JSON? {
        try? AvroDecoder(schema: try AvroSchema.parse(schema)).decode(bytes)
    }

    @Test func everyLongAndIntReadsBack() async {
        await propertyCheck(count: 1000, input: Gen.int64(), Gen.int32()) { long, int in
            #expect(decode(#""long""#, AvroBytes.long(long)) == JSON(long))
            #expect(decode(#""int""#, AvroBytes.long(Int64(int))) == JSON(int))
            // A long outside 32 bits is not an int.
            let wide = long > 0 ? max(long, Int64(Int32.max) + 1) : min(long, Int64(Int32.min) - 1)
            #expect(decode(#""int""#, AvroBytes.long(wide)) == nil)
        }
    }

    @Test func everyFloatAndDoubleReadsBackExactly() async {
        await propertyCheck(count: 1000, input: Gen.uint32(), Gen.uint64()) { floatBits, doubleBits in
            let float = Float(bitPattern: floatBits)
            let double = Double(bitPattern: doubleBits)
            let floatJSON = decode(#""float""#, AvroBytes.float(float)) ?? .null
            let doubleJSON = decode(#""double""#, AvroBytes.double(double)) ?? .null
            if float.isFinite, case .number(let text) = floatJSON {
                #expect(Float(text) == float, "\(text)")
                // Valid JSON number text: the JSON reader takes it.
                #expect((try? JSON.parse(Array(text.utf8))) == floatJSON)
            } else {
                #expect(!float.isFinite)
            }
            if double.isFinite, case .number(let text) = doubleJSON {
                #expect(Double(text) == double, "\(text)")
                #expect((try? JSON.parse(Array(text.utf8))) == doubleJSON)
            } else {
                #expect(!double.isFinite)
            }
        }
    }

    @Test func stringsReadBack() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...0x10FFFF).array(of: 0...30)) { codes in
            var text = ""
            text.unicodeScalars.append(contentsOf: codes.compactMap(Unicode.Scalar.init))
            #expect(decode(#""string""#, AvroBytes.string(text)) == .string(text))
        }
    }

    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// `YYYY-MM-DD` of the day `days` after 1970-01-01, by Foundation (years 1600 on: its
    /// Gregorian calendar turns Julian before October 1582).
    static func foundationDate(days: Int64) -> String {
        let parts = utc.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(days) * 86_400))
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    @Test func datesMatchFoundationsCalendar() async {
        // 1600-01-01 to 9999-12-31.
        await propertyCheck(count: 1000, input: Gen.int64(in: -135_140...2_932_896)) { days in
            let text = decode(#"{"type": "int", "logicalType": "date"}"#, AvroBytes.long(days))
            #expect(text == .string(Self.foundationDate(days: days)))
        }
    }

    /// Any long is a timestamp: its text names the same day as its floor in days, and the time
    /// of day and fraction read back to the same units.
    @Test func timestampsAreExactOverEveryLong() async {
        await propertyCheck(count: 1000, input: Gen.int64(), Gen.int(in: 0...2)) { value, unit in
            let (logical, perSecond): (String, Int64) =
                [
                    ("timestamp-millis", 1000), ("timestamp-micros", 1_000_000),
                    ("io.debezium.time.NanoTimestamp", 1_000_000_000),
                ][unit]
            let attribute = logical.hasPrefix("io.") ? "connect.name" : "logicalType"
            let json = decode(#"{"type": "long", "\#(attribute)": "\#(logical)"}"#, AvroBytes.long(value))
            guard case .string(let text)? = json, text.hasSuffix("Z"), let t = text.lastIndex(of: "T") else {
                Issue.record("not a timestamp: \(json)")
                return
            }
            let perDay = 86_400 * perSecond
            let days = value >= 0 ? value / perDay : -((-(value + 1)) / perDay) - 1
            // Dates are ints: the date part is checked where the day count fits one.
            if let day = Int32(exactly: days) {
                let expectedDate = decode(#"{"type": "int", "logicalType": "date"}"#, AvroBytes.long(Int64(day)))
                #expect(expectedDate == .string(String(text[..<t])))
            }
            let clock = text[text.index(after: t)..<text.index(before: text.endIndex)]
            let parts = clock.split(whereSeparator: { $0 == ":" || $0 == "." }).map { Int64($0)! }
            #expect(parts.count == 4)
            let units = ((parts[0] * 60 + parts[1]) * 60 + parts[2]) * perSecond + parts[3]
            // Wrapping: near Int64.min the day's start lies below Int64.min though the sum fits
            // (trapping arithmetic crashed a run on such a value); modulo 2^64 the sum is exact.
            #expect(days &* perDay &+ units == value, "\(text)")
            #expect(clock.count == 9 + String(perSecond).count - 1)
        }
    }

    /// Big decimals against schoolbook arithmetic: digits × 256 + byte, then 2^(8n) − that for
    /// negative values.
    @Test func decimalsAreExactForEveryLength() async {
        await propertyCheck(count: 500, input: Gen.uint8().array(of: 1...40), Gen.int(in: 0...30)) { bytes, scale in
            let schema = #"{"type": "bytes", "logicalType": "decimal", "precision": 200, "scale": \#(scale)}"#
            let json = decode(schema, AvroBytes.bytes(bytes))
            #expect(json == .number(Self.schoolbookDecimal(bytes, scale: scale)))
        }
    }

    static func schoolbookDecimal(_ bytes: [UInt8], scale: Int) -> String {
        // Little-endian decimal digits.
        func times256Plus(_ digits: [Int], _ add: Int) -> [Int] {
            var out: [Int] = []
            var carry = add
            for digit in digits {
                let value = digit * 256 + carry
                out.append(value % 10)
                carry = value / 10
            }
            while carry > 0 {
                out.append(carry % 10)
                carry /= 10
            }
            return out
        }
        var unsigned: [Int] = [0]
        for byte in bytes { unsigned = times256Plus(unsigned, Int(byte)) }
        let negative = bytes[0] >= 0x80
        var magnitude = unsigned
        if negative {
            var power: [Int] = [1]
            for _ in bytes { power = times256Plus(power, 0) }
            var borrow = 0
            magnitude = []
            for index in power.indices {
                var digit = power[index] - (index < unsigned.count ? unsigned[index] : 0) - borrow
                borrow = digit < 0 ? 1 : 0
                if digit < 0 { digit += 10 }
                magnitude.append(digit)
            }
        }
        while magnitude.count > 1, magnitude.last == 0 { magnitude.removeLast() }
        while magnitude.count <= scale { magnitude.append(0) }
        var text = String(magnitude.reversed().map { Character(String($0)) })
        if scale > 0 { text.insert(".", at: text.index(text.endIndex, offsetBy: -scale)) }
        return (negative ? "-" : "") + text
    }

    static let envelope: AvroSchema? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/avro-cases.json")
        guard let data = try? Data(contentsOf: url),
            case .array(let items) = try? JSON.parse(Array(data), maxDepth: 512),
            let schema = items.first(where: { $0["name"]?.string == "debezium customers envelope op=u" })?["schema"]
        else { return nil }
        return try? AvroSchema.parse(json: schema)
    }()

    /// Arbitrary bytes under a rich schema and a recursive one end in a value or a decode
    /// error, never a crash or a hang.
    @Test func garbageNeverCrashes() async throws {
        let envelope = try #require(Self.envelope)
        let list = try AvroSchema.parse(
            #"{"type": "record", "name": "N", "fields": [{"name": "m", "type": {"type": "map", "values": ["null", "N"]}}]}"#
        )
        await propertyCheck(count: 2000, input: Gen.uint8().array(of: 0...200)) { bytes in
            for schema in [envelope, list] {
                _ = try? AvroDecoder(schema: schema, limits: .init(maxDepth: 32, maxItems: 10_000)).decode(bytes)
            }
        }
    }
}
