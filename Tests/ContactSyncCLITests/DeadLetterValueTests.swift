import Foundation
import JSON
import Logging
import PlatformSandbox
import SchemaRegistry
import Testing

@testable import ContactSyncCLI

/// `dlq inspect --show-value`: a framed value is shown as the JSON it decodes to through the
/// configured registry (over HTTP, the stand-in), and says what it is when it cannot be.
@Suite struct DeadLetterValueTests {
    @Test func aFramedValueIsShownDecoded() async throws {
        let standIn = try await SchemaRegistryStandIn.start(
            logger: Logger(label: "dlq-value-tests") { _ in SwiftLogNoOpLogHandler() })
        let framer = AvroFramer(registry: .init(url: standIn.baseURL))
        let event = #"{"id":"evt-bad-1","data":{"id":"cus_bad1","phone":"call me maybe"}}"#
        let framed = try #require(try await framer.frame(Array(event.utf8), topic: "customers"))
        #expect(framed.first == 0 && framed != Array(event.utf8))

        let values = DeadLetterValue(registry: .init(url: standIn.baseURL))
        #expect(await values.text(framed) == event)
        #expect(await values.text(Array("plain text".utf8)) == "plain text")
        #expect(await values.text(nil) == "null")
        let unknown = ConfluentFraming.header(schemaID: 77) + [2]
        #expect(await values.text(unknown).hasPrefix("(Confluent-framed, schema id 77, not decoded: unknown_schema"))
        let without = DeadLetterValue(registry: nil)
        #expect(await without.text(framed).contains("set schema_registry.url to decode it"))

        await values.shutdown()
        await framer.shutdown()
        await standIn.shutdown()
    }
}
