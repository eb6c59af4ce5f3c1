import Foundation
import SyncCore

/// Bad input of every kind the spec rejects, generated from a seed: truncated and random bytes,
/// wrong members, values the platform would refuse. Each must end dead-lettered with its reason.
enum BadInputs {
    static func generate(_ count: Int, goodKeys: [String], using generator: inout some RandomNumberGenerator)
        -> [Traffic.Record]
    {
        (0..<count).map { n in
            // Half reuse a good entity's key: a bad event must not disturb that entity's lane.
            let key = n % 2 == 0 && !goodKeys.isEmpty ? goodKeys.randomElement(using: &generator)! : "bad-\(n)"
            return Traffic.Record(key: key, value: Array(one(n, key: key, using: &generator).utf8), isBad: true)
        }
    }

    static func one(_ n: Int, key: String, using generator: inout some RandomNumberGenerator) -> String {
        let valid = Traffic.event(
            type: "customer.updated", id: "bad-\(n)", key: key, version: 10_000 + n,
            data: #", "name": "Bad \#(n)", "language": "por", "phone": "+5582999\#(100_000 + n)""#)
        // Every 50th record is one of the hostile sizes (issue 17): a dead letter or versions
        // record that would pass the producer's 1 MB limit must neither stall nor be lost. Five
        // of them at most: librdkafka's mock cluster drops records past about 5 MB a partition,
        // so the full run's twenty (about 20 MB over three partitions) lost records in the
        // broker, not in the worker (seen on 7fb6322 as on today's worker).
        if n % 50 == 49 && n < 250 {
            switch (n / 50) % 5 {
            case 0: return String(repeating: "[", count: 1_000_000)
            case 1:
                return valid.replacingOccurrences(
                    of: #""name": "Bad \#(n)""#,
                    with: #""name": "Bad", "pad": "\#(String(repeating: "a", count: 1_100_000))""#
                )
                .replacingOccurrences(of: #""language": "por""#, with: #""language": "xx""#)
            case 2:
                return valid.replacingOccurrences(
                    of: "+5582999\(100_000 + n)", with: String(repeating: "9", count: 600_000))
            case 3:
                return valid.replacingOccurrences(
                    of: #"{"id": "bad-\#(n)""#, with: #"{"id": "\#(String(repeating: "i", count: 1_200_000))""#)
            default:
                return valid.replacingOccurrences(of: #""name": "Bad \#(n)""#, with: #""fields": {"score": 1e999999}"#)
            }
        }
        switch n % 12 {
        case 0:  // cut short anywhere before the closing brace
            return String(valid.prefix(Int.random(in: 1..<(valid.count - 1), using: &generator)))
        case 1:  // random printable noise
            return String(
                (0..<Int.random(in: 1...120, using: &generator)).map { _ in
                    Character(Unicode.Scalar(UInt8.random(in: 32...126, using: &generator)))
                })
        case 2: return valid.replacingOccurrences(of: "customer.updated", with: "customer.exploded.\(n)")
        case 3: return valid.replacingOccurrences(of: #""language": "por""#, with: #""language": "p\#(n % 10)r""#)
        case 4: return valid.replacingOccurrences(of: "+5582999\(100_000 + n)", with: "call-me-\(n)")
        case 5:
            return valid.replacingOccurrences(of: #""phone""#, with: #""email""#).replacingOccurrences(
                of: "+5582999\(100_000 + n)", with: "no-at-sign-\(n)")
        case 6: return valid.replacingOccurrences(of: #"{"id": "\#(key)""#, with: #"{"ident": "\#(key)""#)
        case 7:
            return valid.replacingOccurrences(
                of: #""name": "Bad \#(n)""#, with: #""name": "\#(String(repeating: "x", count: 65 + n % 50))""#)
        case 8:
            return valid.replacingOccurrences(
                of: #""name": "Bad \#(n)""#,
                with: #""groups": [\#((0...100).map { #""g\#($0)""# }.joined(separator: ", "))]"#)
        case 9: return valid.replacingOccurrences(of: #""name": "Bad \#(n)""#, with: #""fields": {"": "no label"}"#)
        case 10: return valid.replacingOccurrences(of: #""version": \#(10_000 + n)"#, with: #""version": "ten""#)
        default: return #"["not", "an", "event", \#(n)]"#
        }
    }

    /// Checks the generator against the decoder itself: each must be a rejection with a reason.
    static func misclassified(_ records: [Traffic.Record]) -> [String] {
        let decoder = EventDecoder(configuration: DecoderConfiguration(defaultCountryCode: "55"))
        return records.compactMap { record in
            let inbound = InboundRecord(
                topic: "customers", partition: 0, offset: 0, key: Array(record.key.utf8), value: record.value)
            if case .reject = decoder.decode(inbound) { return nil }
            return String(decoding: record.value ?? [], as: UTF8.self)
        }
    }
}
