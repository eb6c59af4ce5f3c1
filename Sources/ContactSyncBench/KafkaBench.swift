import CRdKafka
import Kafka
import Logging

/// The Swift layer against plain librdkafka calls over the same mock cluster, in one run.
enum KafkaBench {
    static let count = 20_000
    static let payload = [UInt8](repeating: 0x61, count: 200)

    static let rounds = 5

    /// Raw and layer runs alternate, `rounds` times each, over fresh topics; the table shows the
    /// medians and the spread (min–max) of both sides, and every run. Both sides time the same
    /// work: clients are created, assigned and warmed up, and keys built, before the clock starts;
    /// closing is after it stops.
    static func run(logger: Logger) async throws -> [Bench.Row] {
        let cluster = try MockCluster(brokers: 1, logger: logger)
        var raw: (produce: [Double], consume: [Double]) = ([], [])
        var layer: (produce: [Double], consume: [Double]) = ([], [])
        var oneByOne: [Double] = []
        for round in 0..<rounds {
            for topic in ["raw-\(round)", "layer-\(round)"] { try cluster.createTopic(topic, partitions: 1) }
            raw.produce.append(rate(count, rawProduceLoop(cluster.bootstrapServers, topic: "raw-\(round)")))
            layer.produce.append(
                rate(count, try await layerProduce(cluster.bootstrapServers, topic: "layer-\(round)", logger: logger)))
            oneByOne.append(
                rate(
                    count,
                    try await layerProduceOneByOne(cluster.bootstrapServers, topic: "layer-\(round)", logger: logger)))
            raw.consume.append(rate(count, rawConsumeLoop(cluster.bootstrapServers, topic: "raw-\(round)")))
            layer.consume.append(
                rate(count, try await layerConsume(cluster.bootstrapServers, topic: "layer-\(round)", logger: logger)))
        }
        return [
            row(
                "produce with delivery confirmation (`send(_:)` of a batch)", layer: layer.produce, raw: raw.produce,
                extra: "; one `send` awaited per record, 5,000 in flight: \(formatted(median(oneByOne))) msg/s"),
            row("consume", layer: layer.consume, raw: raw.consume),
        ]
    }

    static func row(_ what: String, layer: [Double], raw: [Double], extra: String = "") -> Bench.Row {
        let (l, r) = (median(layer), median(raw))
        func runs(_ values: [Double]) -> String { values.map { formatted($0) }.joined(separator: ", ") }
        func spread(_ values: [Double]) -> String { "\(formatted(values.min()!))–\(formatted(values.max()!))" }
        return .init(
            name:
                "\(what), Swift layer vs plain librdkafka loop (median of \(rounds) runs each side, \(count) msgs a run)",
            figure: "\(formatted(l)) msg/s (\(Int(l / r * 100)) %)", target: "≥ 80 % of C",
            beside:
                "raw: \(formatted(r)) msg/s; spread layer \(spread(layer)), raw \(spread(raw)); runs layer [\(runs(layer))], raw [\(runs(raw))]\(extra)",
            met: l >= 0.8 * r)
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    /// One `send(_:)` for every record: one wait for all delivery reports, as the C loop's flush.
    static func layerProduce(_ bootstrap: String, topic: String, logger: Logger) async throws -> Duration {
        let producer = try KafkaProducer(
            properties: ["bootstrap.servers": bootstrap, "linger.ms": "5"], logger: logger)
        try await producer.send(topic: topic, key: nil, value: payload)  // warm-up: connected, producer id known
        let records = (0..<count).map { OutgoingRecord(topic: topic, key: Array("k\($0 % 1000)".utf8), value: payload) }
        let start = ContinuousClock.now
        try await producer.send(records)
        let elapsed = ContinuousClock.now - start
        await producer.close()
        return elapsed
    }

    /// `send` awaits each delivery report; a window of sends in flight keeps the pipe full.
    static func layerProduceOneByOne(_ bootstrap: String, topic: String, logger: Logger) async throws -> Duration {
        let producer = try KafkaProducer(
            properties: ["bootstrap.servers": bootstrap, "linger.ms": "5"], logger: logger)
        try await producer.send(topic: topic, key: nil, value: payload)
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<count {
                if i >= 5_000 { try await group.next() }
                group.addTask { try await producer.send(topic: topic, key: Array("k\(i % 1000)".utf8), value: payload) }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - start
        await producer.close()
        return elapsed
    }

    static func layerConsume(_ bootstrap: String, topic: String, logger: Logger) async throws -> Duration {
        let consumer = try KafkaConsumer(
            properties: ["bootstrap.servers": bootstrap, "group.id": "bench"], logger: logger)
        try consumer.assign([TopicPartitionOffset(topic, 0, TopicPartitionOffset.beginning)])
        let start = ContinuousClock.now
        var read = 0
        while read < count { read += try await consumer.poll(maxRecords: 5000, timeout: .milliseconds(100)).count }
        let elapsed = ContinuousClock.now - start
        await consumer.close()
        return elapsed
    }

    static func conf(_ bootstrap: String, _ extra: [String: String] = [:]) -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        var err = [CChar](repeating: 0, count: 256)
        for (k, v) in ["bootstrap.servers": bootstrap].merging(extra, uniquingKeysWith: { $1 }) {
            _ = rd_kafka_conf_set(conf, k, v, &err, err.count)
        }
        return conf
    }

    /// librdkafka's own produce loop with the layer's settings (idempotent, acks=all): queue
    /// everything, then wait for every delivery. The clock starts after one warm-up delivery,
    /// as for the layer, so connecting and the producer id are not counted.
    static func rawProduceLoop(_ bootstrap: String, topic: String) -> Duration {
        var err = [CChar](repeating: 0, count: 256)
        let rk = rd_kafka_new(
            RD_KAFKA_PRODUCER, conf(bootstrap, ["linger.ms": "5", "enable.idempotence": "true", "acks": "all"]), &err,
            err.count)!
        defer { rd_kafka_destroy(rk) }
        func produce(_ i: Int) {
            rawProduce(rk, topic: topic, key: Array("k\(i % 1000)".utf8), value: payload)
        }
        produce(0)
        _ = rd_kafka_flush(rk, 60_000)
        // Built before the clock, as the layer's records are.
        let keys = (0..<count).map { Array("k\($0 % 1000)".utf8) }
        let start = ContinuousClock.now
        for i in 0..<count { rawProduce(rk, topic: topic, key: keys[i], value: payload) }
        _ = rd_kafka_flush(rk, 60_000)
        return ContinuousClock.now - start
    }

    /// Queues one record (copied), waiting for room when librdkafka's queue is full.
    static func rawProduce(_ rk: OpaquePointer, topic: String, key: [UInt8], value: [UInt8]) {
        while true {
            let error: OpaquePointer? = topic.withCString { name in
                key.withUnsafeBytes { k in
                    value.withUnsafeBytes { v in
                        var vus = [rd_kafka_vu_t](repeating: rd_kafka_vu_t(), count: 4)
                        vus[0].vtype = RD_KAFKA_VTYPE_TOPIC
                        vus[0].u.cstr = name
                        vus[1].vtype = RD_KAFKA_VTYPE_KEY
                        vus[1].u.mem = .init(ptr: UnsafeMutableRawPointer(mutating: k.baseAddress), size: k.count)
                        vus[2].vtype = RD_KAFKA_VTYPE_VALUE
                        vus[2].u.mem = .init(ptr: UnsafeMutableRawPointer(mutating: v.baseAddress), size: v.count)
                        vus[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS
                        vus[3].u.i = RD_KAFKA_MSG_F_COPY
                        return rd_kafka_produceva(rk, vus, vus.count)
                    }
                }
            }
            guard let error else { break }
            rd_kafka_error_destroy(error)
            rd_kafka_poll(rk, 10)
        }
        rd_kafka_poll(rk, 0)
    }

    /// Timed as `layerConsume`: from after the assignment to the last record read; creating and
    /// closing the client are outside the clock.
    static func rawConsumeLoop(_ bootstrap: String, topic: String) -> Duration {
        var err = [CChar](repeating: 0, count: 256)
        let rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf(bootstrap, ["group.id": "bench-raw"]), &err, err.count)!
        defer { rd_kafka_destroy(rk) }
        rd_kafka_poll_set_consumer(rk)
        let list = rd_kafka_topic_partition_list_new(1)!
        rd_kafka_topic_partition_list_add(list, topic, 0).pointee.offset = Int64(RD_KAFKA_OFFSET_BEGINNING)
        _ = rd_kafka_assign(rk, list)
        rd_kafka_topic_partition_list_destroy(list)
        let start = ContinuousClock.now
        var read = 0
        var bytes = 0
        while read < count {
            guard let message = rd_kafka_consumer_poll(rk, 100) else { continue }
            if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                read += 1
                bytes += message.pointee.len
            }
            rd_kafka_message_destroy(message)
        }
        let elapsed = ContinuousClock.now - start
        _ = rd_kafka_consumer_close(rk)
        return elapsed
    }
}
