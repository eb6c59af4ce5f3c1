import Kafka

/// Whether the consumer fetches, and which partitions to pause or resume to get there. A value
/// the poll loop asks once per poll, so the rules are tested without a broker.
///
/// Fetching pauses while too much is pending (`Backpressure`), while the platform is degraded
/// and work waits to be retried, or while the platform throttles: nothing is buffered without
/// bound. Partitions assigned while paused start paused too (librdkafka hands out a new
/// assignment unpaused), which is why the assignment is compared on every paused poll.
struct FetchControl: Sendable {
    enum Step: Equatable, Sendable {
        case pause([TopicPartition])
        case resume([TopicPartition])
    }

    private(set) var backpressure: Backpressure
    /// The partitions paused now; `nil` while fetching.
    private(set) var paused: Set<TopicPartition>?

    init(backpressure: Backpressure) {
        self.backpressure = backpressure
    }

    var isPaused: Bool { paused != nil }

    /// Whether fetching should pause given the load and the platform's state. A degraded
    /// platform pauses only while there is work to retry; with none, a batch is fetched so that
    /// calls keep probing it (health is read from answers).
    mutating func wantsPause(entities: Int, bytes: Int, platformDegraded: Bool, throttled: Bool) -> Bool {
        let full = backpressure.update(entities: entities, bytes: bytes)
        return full || throttled || (platformDegraded && entities > 0)
    }

    /// Whether `step` needs the assignment: only while pausing matters, not on every poll of
    /// normal work.
    func needsAssignment(wantsPause: Bool) -> Bool { wantsPause || paused != nil }

    /// What to do with `assignment` to get to `wantsPause`; `nil` when nothing changes.
    mutating func step(wantsPause: Bool, assignment: Set<TopicPartition>) -> Step? {
        if wantsPause, paused != assignment {
            paused = assignment
            return .pause(Self.ordered(assignment))
        }
        if !wantsPause, paused != nil {
            paused = nil
            return .resume(Self.ordered(assignment))
        }
        return nil
    }

    private static func ordered(_ partitions: Set<TopicPartition>) -> [TopicPartition] {
        partitions.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
    }
}
