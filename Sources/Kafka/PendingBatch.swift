import Foundation

/// The records of one `KafkaProducer.send(_:)`: the caller resumes once every report came
/// back (or with the first failure, after every report came back, so nothing is left pointing
/// at a finished batch).
final class PendingBatch: @unchecked Sendable {
    /// One record's place in the batch; librdkafka holds it as the record's opaque.
    final class Slot: DeliveryTarget, @unchecked Sendable {
        let batch: PendingBatch
        let index: Int
        init(batch: PendingBatch, index: Int, topic: String) {
            self.batch = batch
            self.index = index
            super.init(topic: topic)
        }
        override func finish(_ result: Result<DeliveryReport, KafkaError>) { batch.finish(index, result) }
    }

    private let lock = NSLock()
    private var remaining: Int
    private var reports: [DeliveryReport?]
    private var firstError: KafkaError?
    private let continuation: CheckedContinuation<[DeliveryReport], any Error>

    init(count: Int, continuation: CheckedContinuation<[DeliveryReport], any Error>) {
        remaining = count
        reports = Array(repeating: nil, count: count)
        self.continuation = continuation
    }

    func finish(_ index: Int, _ result: Result<DeliveryReport, KafkaError>) {
        settle(count: 1) {
            switch result {
            case .success(let report): reports[index] = report
            case .failure(let error): firstError = firstError ?? error
            }
        }
    }

    /// Records from `index` on were never queued: they will not report.
    func fail(remainingFrom index: Int, _ error: KafkaError) {
        settle(count: reports.count - index) { firstError = firstError ?? error }
    }

    private func settle(count: Int, _ update: () -> Void) {
        let done: Bool = lock.withLock {
            update()
            remaining -= count
            return remaining == 0
        }
        guard done else { return }
        if let firstError {
            continuation.resume(throwing: firstError)
        } else {
            continuation.resume(returning: reports.map { $0! })
        }
    }
}
