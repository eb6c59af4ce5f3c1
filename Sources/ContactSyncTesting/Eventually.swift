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

/// Looks at `condition` every millisecond until the returned task is cancelled; its value says
/// whether the condition was ever seen to hold. For a state that may last only a moment (a
/// health flag during a short outage), which a loop busy with broker queries can step over.
public func watchFor(_ condition: @escaping @Sendable () -> Bool) -> Task<Bool, Never> {
    Task {
        while !Task.isCancelled {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return false
    }
}
