import Foundation
import Testing

@testable import SyncCore

/// Inputs built to hurt: each is refused at decode with a reason, never turned into a made-up
/// value or into a record too large for the versions topic.
@Suite struct HostileInputTests {
    let decoder = EventDecoder(configuration: DecoderConfiguration(defaultCountryCode: "55"))

    @Test(arguments: ["1e999999", "-1e999999", "1e400", "1e-999999"])
    func anOverflowingNumberIsRefusedNotZeroed(number: String) {
        let outcome = decoder.decode(
            record(json: canonical(data: #"{"id": "cus_1", "fields": {"score": \#(number)}}"#)))
        #expect(outcome.rejection?.reason == .invalidFieldValue)
        #expect(outcome.rejection?.message == "data.fields.score = \(number) is out of range for a number field")
    }

    @Test func ordinaryNumbersStillPass() {
        let outcome = decoder.decode(
            record(json: canonical(data: #"{"id": "cus_1", "fields": {"score": 12.5, "big": 1e20, "neg": -3}}"#)))
        #expect(outcome.patch?.fields["score"] == .set(.number("12.5")))
        #expect(outcome.patch?.fields["big"] == .set(.number("1e20")))
    }

    @Test func aHugeEventIDIsRefusedAtDecode() {
        let outcome = decoder.decode(
            record(json: canonical(id: String(repeating: "i", count: 1_200_000), data: #"{"id": "cus_1"}"#)))
        #expect(outcome.rejection?.reason == .invalidMember)
        #expect(outcome.rejection?.message.hasPrefix("the event id is 1200000 bytes; at most 512") == true)
    }

    @Test func aHugeKeyIsRefusedAtDecode() {
        let outcome = decoder.decode(
            record(json: canonical(data: #"{"id": "cus_1"}"#), key: String(repeating: "k", count: 10_000)))
        #expect(outcome.rejection?.reason == .invalidMember)
        #expect(outcome.rejection?.message.hasPrefix("the record key is 10000 bytes; at most 4096") == true)
    }

    /// The platform is Python/Django: `len()` counts code points, so a letter followed by 70
    /// combining marks (one Character to Swift) is 71 characters there, over the 64 limit.
    @Test func combiningMarksCountAsThePlatformCountsThem() {
        let name = "a" + String(repeating: "\u{0301}", count: 70)
        #expect(name.count == 1)
        let outcome = decoder.decode(record(json: canonical(data: #"{"id": "cus_1", "name": "\#(name)"}"#)))
        #expect(outcome.rejection?.reason == .invalidName)
        #expect(outcome.rejection?.message.contains("has 71 characters") == true)
    }

    /// A 600 KB phone number: the rejection's message is bounded when it becomes a header.
    @Test func aHugePhoneNumberIsRefusedWithABoundedMessage() {
        let outcome = decoder.decode(
            record(json: canonical(data: #"{"id": "cus_1", "phone": "\#(String(repeating: "9", count: 600_000))"}"#)))
        #expect(outcome.rejection?.reason == .invalidURN)
    }
}
