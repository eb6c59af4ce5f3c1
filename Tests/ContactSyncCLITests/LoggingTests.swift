import Foundation
import Logging
import Synchronization
import Testing

@testable import ContactSyncCLI

@Suite struct LoggingTests {
    @Test(arguments: [
        ("sent to +558299331122 ok", "sent to +5582****1122 ok"),
        ("tel:+5582999990001", "tel:+5582*****0001"),
        ("whatsapp:558299331122", "whatsapp:5582****1122"),
        ("mailto:john.dalton@example.com", "mailto:j***@example.com"),
        ("offset 1234567 of partition 2", "offset 1234567 of partition 2"),
    ])
    func phoneNumbersAndEmailsAreMasked(input: String, expected: String) {
        #expect(PIIMasker.mask(input) == expected)
    }

    final class Lines: Sendable {
        let all = Mutex<[String]>([])
    }

    @Test func jsonLinesCarryMetadataMaskPIIAndRedactSecrets() throws {
        let lines = Lines()
        let handler = LineLogHandler(
            label: "t", format: .json, level: .info, pii: false, secrets: ["hunter2-secret"],
            write: { line in lines.all.withLock { $0.append(line) } })
        let logger = Logger(label: "t") { _ in handler }
        logger.info(
            "applied +558299331122 with hunter2-secret",
            metadata: [
                "topic": "customers", "partition": "1", "offset": "42",
                "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            ])
        logger.debug("not logged below info")
        let written = lines.all.withLock { $0 }
        #expect(written.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(written[0].utf8)) as? [String: String])
        #expect(object["level"] == "info")
        #expect(object["message"] == "applied +5582****1122 with <redacted>")
        #expect(object["topic"] == "customers" && object["offset"] == "42")
        #expect(object["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(object["ts"] != nil)
    }

    @Test func withLogPIIThePhoneIsKept() {
        let lines = Lines()
        let handler = LineLogHandler(
            label: "t", format: .text, level: .info, pii: true,
            write: { line in lines.all.withLock { $0.append(line) } })
        Logger(label: "t") { _ in handler }.warning("call +558299331122")
        #expect(lines.all.withLock { $0 } == ["WARNING call +558299331122"])
    }
}
