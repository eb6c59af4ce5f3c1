import CRdKafka
import Kafka
import Logging

/// The Swift layer against plain librdkafka calls over the same mock cluster, in one run.
enum KafkaBench {
    static let count = 20_000
    static let payload = [UInt8](repeating: 0x61, count: 200)

    static func run(logger: Logger) async throws -> [Bench.Row] {
        let cluster = try MockCluster(brokers: 1, logger: logger)
        try cluster.createTopic("raw", partitions: 1)
        try cluster.createTopic("layer", partitions: 1)
        let clock = ContinuousClock()

        let rawProduce = clock.measure { rawProduceLoop(cluster.bootstrapServers, topic: "raw") }
        print("    raw produce \(rawProduce)")
        let producer = try KafkaProducer(properties: ["bootstrap.servers": cluster.bootstrapServers, "linger.ms": "5"], logger: logger)
        let start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<count {
                if i >= 5_000 { try await group.next() }   // a window of sends awaiting their delivery reports
                group.addTask { try await producer.send(topic: "layer", key: Array("k\(i % 1000)".utf8), value: payload) }
            }
            try await group.waitForAll()
        }
        let layerProduce = clock.now - start
        producer.close()

        print("    layer produce \(layerProduce)")
        let rawConsume = clock.measure { rawConsumeLoop(cluster.bootstrapServers, topic: "raw") }
        print("    raw consume \(rawConsume)")
        let consumer = try KafkaConsumer(properties: ["bootstrap.servers": cluster.bootstrapServers, "group.id": "bench"], logger: logger)
        try consumer.assign([TopicPartitionOffset("layer", 0, TopicPartitionOffset.beginning)])
        let consumeStart = clock.now
        var read = 0
        while read < count { read += try await consumer.poll(maxRecords: 5000, timeout: .milliseconds(100)).count }
        let layerConsume = clock.now - consumeStart
        await consumer.close()

        let produceRatio = rate(count, layerProduce) / rate(count, rawProduce)
        let consumeRatio = rate(count, layerConsume) / rate(count, rawConsume)
        return [
            .init(name: "produce with delivery confirmation, Swift layer vs plain librdkafka loop", figure: "\(formatted(rate(count, layerProduce))) msg/s (\(Int(produceRatio * 100)) %)",
                  target: "≥ 80 % of C", beside: "raw: \(formatted(rate(count, rawProduce))) msg/s", met: produceRatio >= 0.8),
            .init(name: "consume, Swift layer vs plain librdkafka loop", figure: "\(formatted(rate(count, layerConsume))) msg/s (\(Int(consumeRatio * 100)) %)",
                  target: "≥ 80 % of C", beside: "raw: \(formatted(rate(count, rawConsume))) msg/s", met: consumeRatio >= 0.8),
        ]
    }

    static func conf(_ bootstrap: String, _ extra: [String: String] = [:]) -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        var err = [CChar](repeating: 0, count: 256)
        for (k, v) in ["bootstrap.servers": bootstrap].merging(extra, uniquingKeysWith: { $1 }) {
            _ = rd_kafka_conf_set(conf, k, v, &err, err.count)
        }
        return conf
    }

    /// librdkafka's own produce loop: queue everything, then wait for every delivery.
    static func rawProduceLoop(_ bootstrap: String, topic: String) {
        var err = [CChar](repeating: 0, count: 256)
        let rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf(bootstrap, ["linger.ms": "5"]), &err, err.count)!
        defer { rd_kafka_destroy(rk) }
        for i in 0..<count {
            let key = Array("k\(i % 1000)".utf8)
            while true {
                let error: OpaquePointer? = topic.withCString { name in
                    key.withUnsafeBytes { k in
                        payload.withUnsafeBytes { v in
                            var vus = [rd_kafka_vu_t](repeating: rd_kafka_vu_t(), count: 4)
                            vus[0].vtype = RD_KAFKA_VTYPE_TOPIC; vus[0].u.cstr = name
                            vus[1].vtype = RD_KAFKA_VTYPE_KEY; vus[1].u.mem = .init(ptr: UnsafeMutableRawPointer(mutating: k.baseAddress), size: k.count)
                            vus[2].vtype = RD_KAFKA_VTYPE_VALUE; vus[2].u.mem = .init(ptr: UnsafeMutableRawPointer(mutating: v.baseAddress), size: v.count)
                            vus[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS; vus[3].u.i = RD_KAFKA_MSG_F_COPY
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
        _ = rd_kafka_flush(rk, 60_000)
    }

    static func rawConsumeLoop(_ bootstrap: String, topic: String) {
        var err = [CChar](repeating: 0, count: 256)
        let rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf(bootstrap, ["group.id": "bench-raw"]), &err, err.count)!
        defer { rd_kafka_destroy(rk) }
        rd_kafka_poll_set_consumer(rk)
        let list = rd_kafka_topic_partition_list_new(1)!
        rd_kafka_topic_partition_list_add(list, topic, 0).pointee.offset = Int64(RD_KAFKA_OFFSET_BEGINNING)
        _ = rd_kafka_assign(rk, list)
        rd_kafka_topic_partition_list_destroy(list)
        var read = 0
        var bytes = 0
        while read < count {
            guard let message = rd_kafka_consumer_poll(rk, 100) else { continue }
            if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR { read += 1; bytes += message.pointee.len }
            rd_kafka_message_destroy(message)
        }
        _ = rd_kafka_consumer_close(rk)
    }
}
