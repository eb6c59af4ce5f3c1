import Foundation
import Kafka
import Logging

/// A producer that keeps sending while the scenario runs, as backends do during a deploy: the
/// records in order, at a steady rate, to one or more clusters at once (the same record at the
/// same moment to each, so a baseline run sees exactly the timing the scenario does).
struct LiveProducer {
    struct Target {
        let bootstrapServers: String
        let topic: String
        /// Over the defaults (e.g. Tansu's one record a batch).
        var properties: KafkaProperties = [:]
    }

    let records: [Traffic.Record]
    /// Records a second.
    let rate: Double
    /// Records go out in ticks: a few records per send keeps the schedule without a send per record.
    var tick: Duration = .milliseconds(50)

    /// How long the whole traffic takes at `rate`.
    var duration: Duration { .seconds(Double(records.count) / rate) }

    /// Sends every record and returns, per target, where each landed, in the records' order.
    /// Each tick's records are acknowledged before the next tick's go out, so a key's records
    /// keep their order whatever the retries.
    func run(to targets: [Target], logger: Logger) async throws -> [[DeliveryReport]] {
        let producers = try targets.map { target in
            let defaults = ["bootstrap.servers": target.bootstrapServers, "linger.ms": "2"]
            return try KafkaProducer(properties: defaults.merging(target.properties) { $1 }, logger: logger)
        }
        var reports = Array(repeating: [DeliveryReport](), count: targets.count)
        let started = ContinuousClock.now
        var sent = 0
        while sent < records.count {
            // Due by the clock, not by ticks counted: a slow acknowledgement is caught up on.
            let due = min(records.count, Int(((ContinuousClock.now - started) / .seconds(1)) * rate) + 1)
            if due > sent {
                let slice = Array(records[sent..<due])
                let landed = try await withThrowingTaskGroup(of: (Int, [DeliveryReport]).self) { group in
                    for (index, producer) in producers.enumerated() {
                        let topic = targets[index].topic
                        let outgoing = slice.map {
                            OutgoingRecord(topic: topic, key: Array($0.key.utf8), value: $0.value)
                        }
                        group.addTask { (index, try await producer.send(outgoing)) }
                    }
                    return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
                }
                for index in targets.indices { reports[index] += landed[index] ?? [] }
                sent = due
            }
            try await Task.sleep(for: tick)
        }
        for producer in producers { await producer.close() }
        return reports
    }
}
