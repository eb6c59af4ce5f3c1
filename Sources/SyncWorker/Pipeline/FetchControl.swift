import Kafka

/// Whether the consumer fetches, and which partitions to pause or resume to get there. A value
/// the poll loop asks once per poll, so the rules are tested without a broker.
///
/// Fetching pauses as a whole while too much is pending (`Backpressure`), while the platform is
/// degraded and work waits to be retried, or while the platform throttles: nothing is buffered
/// without bound. Held partitions (their version guard's state is being restored) pause on
/// their own, so their records neither wait in memory nor stall the other partitions. A
/// partition assigned anew starts unpaused in librdkafka whatever it was before, so the
/// partitions assigned since the last step are forgotten as paused and paused again if needed.
struct FetchControl: Sendable {
    struct Step: Equatable, Sendable {
        var pause: [TopicPartition] = []
        var resume: [TopicPartition] = []
    }

    private(set) var backpressure: Backpressure
    /// The partitions paused now.
    private(set) var paused: Set<TopicPartition> = []
    /// Fetching paused as a whole (backpressure, platform degraded or throttling).
    private(set) var isPaused = false

    init(backpressure: Backpressure) {
        self.backpressure = backpressure
    }

    /// Whether fetching should pause given the load and the platform's state. A degraded
    /// platform pauses only while there is work to retry; with none, a batch is fetched so that
    /// calls keep probing it (health is read from answers). Records waiting for the schema
    /// registry pause it too: their drains probe the registry, and fetching more would only
    /// queue behind them.
    mutating func wantsPause(
        entities: Int, bytes: Int, platformDegraded: Bool, throttled: Bool, registryWaiting: Bool = false
    ) -> Bool {
        let full = backpressure.update(entities: entities, bytes: bytes)
        return full || throttled || (platformDegraded && entities > 0) || registryWaiting
    }

    /// Whether `step` needs the assignment: only while something is or should be paused, not on
    /// every poll of normal work.
    func needsAssignment(wantsPause: Bool, held: Set<TopicPartition>) -> Bool {
        wantsPause || !paused.isEmpty || !held.isEmpty
    }

    /// What to pause and resume to get `assignment` to `wantsPause` with `held` partitions;
    /// `nil` when nothing changes. `assigned` are partitions assigned since the last step.
    mutating func step(
        wantsPause: Bool, held: Set<TopicPartition>, assignment: Set<TopicPartition>,
        assigned: Set<TopicPartition> = []
    ) -> Step? {
        isPaused = wantsPause
        paused = paused.subtracting(assigned).intersection(assignment)
        let wanted = wantsPause ? assignment : held.intersection(assignment)
        guard wanted != paused else { return nil }
        let step = Step(
            pause: Self.ordered(wanted.subtracting(paused)), resume: Self.ordered(paused.subtracting(wanted)))
        paused = wanted
        return step
    }

    private static func ordered(_ partitions: Set<TopicPartition>) -> [TopicPartition] {
        partitions.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
    }
}
