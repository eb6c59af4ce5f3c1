/// The one-core rows' figures: the same work timed in several passes, each from the same start.
/// This VM's neighbours slow a single pass by up to 1.5×, either way; the median pass is the
/// figure that a burst in one pass does not move, and the spread and the rate over every pass
/// stand beside it.
struct Passes {
    static let count = 5

    /// Events per second of each pass, ascending.
    let rates: [Double]
    /// Events per second over all passes together.
    let overall: Double
    let events: Int

    /// Runs `pass` `count` times; each returns how long its `events` took.
    init(events: Int, _ pass: () -> Duration) {
        var rates: [Double] = []
        var total = Duration.zero
        for _ in 0..<Self.count {
            let time = pass()
            rates.append(rate(events, time))
            total += time
        }
        self.rates = rates.sorted()
        overall = rate(events * Self.count, total)
        self.events = events
    }

    var median: Double { rates[rates.count / 2] }

    /// "5 passes of 200000 events: 195,381–219,327 events/s, all 1000000: 215,641 events/s".
    var summary: String {
        "\(Self.count) passes of \(events) events: \(formatted(rates.first!))–\(formatted(rates.last!)) events/s, all \(events * Self.count): \(formatted(overall)) events/s"
    }
}
