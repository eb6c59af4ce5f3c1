/// Calls per second of several counters (e.g. each sandbox workspace's calls), each measured
/// from the first change seen to the last one within `duration`: a window's edges do not cut a
/// call in two, so a budget of one call a second is measured as exactly as one of twenty
/// (counting calls in a fixed window is off by up to one call of its length).
public func callRates(over duration: Duration, every step: Duration = .milliseconds(10), _ counters: [() -> Int])
    async throws -> [Double]
{
    var previous = counters.map { $0() }
    var first: [(at: ContinuousClock.Instant, count: Int)?] = Array(repeating: nil, count: counters.count)
    var last = first
    let end = ContinuousClock.now + duration
    while ContinuousClock.now < end {
        try await Task.sleep(for: step)
        let now = ContinuousClock.now
        for (index, counter) in counters.enumerated() {
            let count = counter()
            guard count != previous[index] else { continue }
            previous[index] = count
            if first[index] == nil { first[index] = (now, count) }
            last[index] = (now, count)
        }
    }
    return zip(first, last).map { first, last in
        guard let first, let last, last.at > first.at else { return 0 }
        let (seconds, attoseconds) = (last.at - first.at).components
        return Double(last.count - first.count) / (Double(seconds) + Double(attoseconds) / 1e18)
    }
}
