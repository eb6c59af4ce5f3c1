/// Whether lanes hold their `contacts.json` calls while the consumer reads a backlog ahead of
/// them: later events of a contact that wait further on in the partition then fold into its
/// one write, instead of following it as a second one. Kafka Streams' record cache does the
/// same for a KTable's updates of one key within a commit interval.
///
/// The budget makes the wait free in a backlog: the fetch reads thousands of records a second,
/// the platform takes about one call a second, so every write goes out later anyway; what the
/// first seconds of a backlog wrote without reading ahead (a contact's first events, then its
/// next ones) is spent twice. The hold is bounded on every side:
/// - it starts only when more than a poll's worth of records is known to wait past what was
///   handed out (`threshold`): a live stream, a few records behind at each poll, is never held;
///   once started it lasts until at most a poll's worth is left and the polls after have read
///   that many records, so the backlog's last records fold too (whether one poll takes them
///   from librdkafka's prefetch or many small fetches bring them in), and a live producer
///   writing behind the backlog (the unread count is then never 0) does not keep it going;
/// - not while fetching is paused (memory, an outage, a throttle): nothing more arrives to fold,
///   and the limit would pass waiting;
/// - while partitions wait for their version state's restore it holds as usual (the partitions
///   already restored read their backlog meanwhile, and their records must fold too), but that
///   time does not count against the limit: the waiting partitions' backlog is not read yet;
/// - at most `limit` per backlog: past it, nothing is held again until the consumer is within a
///   poll's worth of the partitions' end, so a stream that never catches up pays the wait once.
struct ReadAhead: Sendable {
    /// How long one backlog may hold the lanes; `.zero` never holds.
    let limit: Duration
    /// Records left to read below which the consumer counts as caught up (a poll's worth).
    let threshold: Int64

    private enum State: Equatable {
        case caughtUp
        case reading(since: ContinuousClock.Instant)
        /// At most a poll's worth is left: held until the polls after have read `owed` records.
        case finishing(since: ContinuousClock.Instant, owed: Int64)
        /// The limit passed in this backlog: nothing held until caught up.
        case spent
    }

    private var state = State.caughtUp
    /// When `update` last ran: the time since is taken off the limit's count while restoring.
    private var lastUpdate: ContinuousClock.Instant?

    init(limit: Duration, threshold: Int64) {
        self.limit = limit
        self.threshold = threshold
    }

    /// The state after one poll that handed out `polled` records, `backlog` records known to
    /// be left to read, `restoring` while any partition waits for its restore; answers whether
    /// lanes hold their calls now.
    mutating func update(
        backlog: Int64, polled: Int, fetchPaused: Bool, restoring: Bool = false, now: ContinuousClock.Instant
    ) -> Bool {
        if restoring, let lastUpdate {
            let waited = now - lastUpdate
            switch state {
            case .reading(let since): state = .reading(since: since + waited)
            case .finishing(let since, let owed): state = .finishing(since: since + waited, owed: owed)
            case .caughtUp, .spent: break
            }
        }
        lastUpdate = now
        let live = backlog <= threshold
        guard limit > .zero, !fetchPaused else {
            if live, case .spent = state { state = .caughtUp }
            return false
        }
        switch state {
        case .caughtUp:
            if !live { state = .reading(since: now) }
        case .spent:
            if live { state = .caughtUp }
        case .reading(let since):
            if now - since >= limit {
                state = .spent
            } else if backlog == 0 {
                state = .caughtUp
            } else if live {
                state = .finishing(since: since, owed: backlog)
            }
        case .finishing(let since, let owed):
            let left = owed - Int64(polled)
            if now - since >= limit {
                state = .spent
            } else if backlog == 0 || left <= 0 {
                state = .caughtUp
            } else {
                state = live ? .finishing(since: since, owed: left) : .reading(since: since)
            }
        }
        switch state {
        case .reading, .finishing: return true
        case .caughtUp, .spent: return false
        }
    }
}
