import Synchronization

/// The records of one `KafkaProducer.send(_:)` on their way: the caller waits (`reports()`)
/// until every delivery report came back, and then gets the first failure, if any, so nothing
/// is left pointing at a finished batch.
final class PendingBatch: Sendable {
    /// One record's place in the batch; librdkafka holds it as the record's opaque pointer.
    final class Slot: Sendable {
        let batch: PendingBatch
        let index: Int
        let topic: String

        init(batch: PendingBatch, index: Int, topic: String) {
            self.batch = batch
            self.index = index
            self.topic = topic
        }

        func finish(_ result: Result<DeliveryReport, KafkaError>) { batch.finish(index, result) }
    }

    private struct State {
        var remaining: Int
        var reports: [DeliveryReport?]
        var firstError: KafkaError?
        var waiter: CheckedContinuation<[DeliveryReport], any Error>?

        var outcome: Result<[DeliveryReport], any Error> {
            if let firstError { return .failure(firstError) }
            return .success(reports.map { $0! })
        }
    }

    private let state: Mutex<State>

    init(count: Int) {
        state = Mutex(State(remaining: count, reports: Array(repeating: nil, count: count)))
    }

    func finish(_ index: Int, _ result: Result<DeliveryReport, KafkaError>) {
        settle(count: 1) { state in
            switch result {
            case .success(let report): state.reports[index] = report
            case .failure(let error): state.firstError = state.firstError ?? error
            }
        }
    }

    /// Records from `index` on were never queued: they will not report.
    func fail(remainingFrom index: Int, _ error: KafkaError) {
        settle(count: state.withLock { $0.reports.count } - index) { $0.firstError = $0.firstError ?? error }
    }

    /// Waits for every report: the reports in order, or the first failure.
    func reports() async throws -> [DeliveryReport] {
        try await withCheckedThrowingContinuation { continuation in
            let done: Result<[DeliveryReport], any Error>? = state.withLock { state in
                guard state.remaining > 0 else { return state.outcome }
                state.waiter = continuation
                return nil
            }
            if let done { continuation.resume(with: done) }
        }
    }

    private func settle(count: Int, _ update: (inout State) -> Void) {
        let wake: (CheckedContinuation<[DeliveryReport], any Error>, Result<[DeliveryReport], any Error>)? =
            state.withLock { state in
                update(&state)
                state.remaining -= count
                guard state.remaining == 0, let waiter = state.waiter else { return nil }
                state.waiter = nil
                return (waiter, state.outcome)
            }
        if let (waiter, outcome) = wake { waiter.resume(with: outcome) }
    }
}
