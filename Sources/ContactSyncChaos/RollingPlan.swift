/// How big a rolling deploy is: the traffic, its rate, and the restarts.
struct RollingPlan {
    let instances = 3
    let partitions = 6
    /// `Traffic.interleaved`'s chunks of `entities` keys, two versions each (about 3.6 records
    /// a key with the redeliveries, old versions under new ids and the replay).
    ///
    /// Why chunks this large: folding, which depends on timing, merges a key's queued events
    /// into one write, so a stall (records pile up, then fold) lowers the writes and could hide
    /// work done twice. A key's two versions are at least `entities` records apart (2.5 s or
    /// more at `rate`), longer than any stall a passing run may have (`idleAllowance`, 2 s): so
    /// whenever the idle judgement passes, the deploy folds as the baseline does and the writes
    /// judgement counts only work done again. When it fails, the writes figure understates.
    let chunks: Int
    let entities: Int
    let bad: Int
    /// Records a second: the traffic lasts past the last restart, so every restart meets work.
    let rate: Double
    /// Restarts, in turn (instance 0, 1, 2, 0, …).
    let restarts: Int
    /// From a restarted instance's start to the next instance's SIGTERM.
    let restartEvery: Duration = .seconds(4)

    init(short: Bool) {
        chunks = short ? 3 : 4
        entities = short ? 375 : 500
        // Fewer than 50: every 50th bad input is a 1 MB one (BadInputs), not this scenario's subject.
        bad = short ? 24 : 40
        rate = short ? 150 : 180
        restarts = short ? 3 : 6
    }
}
