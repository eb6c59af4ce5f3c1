import CRdKafka
import Foundation
import Logging
import Synchronization

extension KafkaConsumer {
    /// librdkafka's rebalance callback, on the polling thread. It blocks that thread while the
    /// Swift handler runs, so revoked partitions are given up only after the handler returns.
    static func rebalance(
        rk: OpaquePointer, err: rd_kafka_resp_err_t,
        partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
    ) {
        let context = HandleContext.from(rk)
        // NULL once the handle is closing (its group's queue is gone): read as cooperative, the
        // consumer's default; a call below that does not fit is refused and logged, not a crash.
        let cooperative = rd_kafka_rebalance_protocol(rk).map { String(cString: $0) == "COOPERATIVE" } ?? true
        let list = PartitionList.read(partitions).map(\.topicPartition)
        let handler = context?.rebalanceHandler
        let logger = context?.logger
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            context?.wasAssigned.store(true, ordering: .releasing)
            logger?.info(
                "partitions assigned",
                metadata: ["partitions": "\(list)", "protocol": "\(cooperative ? "cooperative" : "eager")"])
            if let handler { runBlocking { await handler.partitionsAssigned(list) } }
            if cooperative {
                if let error = rd_kafka_incremental_assign(rk, partitions) {
                    logger?.error(
                        "incremental assign failed",
                        metadata: ["error": "\(KafkaError(taking: error, context: "assign"))"])
                }
            } else {
                _ = rd_kafka_assign(rk, partitions)
            }
            // librdkafka keeps a partition's pause from an earlier assignment: a partition
            // paused, revoked and assigned again would never fetch. A new assignment starts
            // unpaused, as in the Java client; whoever paused pauses again if it still must.
            _ = rd_kafka_resume_partitions(rk, partitions)
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            // Lost: the session expired or the member was fenced; the partitions may be another
            // member's already, so nothing of theirs may be committed.
            let lost = rd_kafka_assignment_lost(rk) != 0
            logger?.info(
                lost ? "partitions lost" : "partitions revoked",
                metadata: ["partitions": "\(list)", "protocol": "\(cooperative ? "cooperative" : "eager")"])
            context?.noteRevoked(list)
            if let handler {
                runBlocking { lost ? await handler.partitionsLost(list) : await handler.partitionsRevoked(list) }
            }
            if cooperative {
                if let error = rd_kafka_incremental_unassign(rk, partitions) {
                    logger?.error(
                        "incremental unassign failed",
                        metadata: ["error": "\(KafkaError(taking: error, context: "unassign"))"])
                }
            } else {
                _ = rd_kafka_assign(rk, nil)
            }
        default:
            logger?.error("rebalance failed", metadata: ["error": "\(KafkaError(err, context: "rebalance"))"])
            if cooperative {
                if let error = rd_kafka_incremental_unassign(rk, partitions) { rd_kafka_error_destroy(error) }
            } else {
                _ = rd_kafka_assign(rk, nil)
            }
        }
    }
}

/// Runs async work to completion from a plain (non-cooperative) thread.
func runBlocking(_ work: @escaping @Sendable () async -> Void) {
    let done = DispatchSemaphore(value: 0)
    Task {
        await work()
        done.signal()
    }
    done.wait()
}
