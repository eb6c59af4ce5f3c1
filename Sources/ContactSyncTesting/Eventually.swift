/// Waits until `condition` holds, checking every 20 ms; past `deadline` throws `NotWithin`
/// naming `what`, so a broken worker fails the test (or the chaos run) instead of hanging it.
public func eventually(
    _ what: String, within deadline: Duration = .seconds(60), _ condition: () async throws -> Bool
) async throws {
    let end = ContinuousClock.now + deadline
    while try await !condition() {
        guard ContinuousClock.now < end else { throw NotWithin(what: what, deadline: deadline) }
        try await Task.sleep(for: .milliseconds(20))
    }
}

/// What `eventually` throws when its condition did not hold in time.
public struct NotWithin: Error, CustomStringConvertible {
    public let what: String
    public let deadline: Duration

    public var description: String { "not within \(deadline): \(what)" }
}
