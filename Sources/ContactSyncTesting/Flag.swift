import Synchronization

/// A one-way signal: a test task raises it when it ends, and `eventually` watches it, so a task
/// that never ends fails the test instead of hanging it.
public final class Flag: Sendable {
    private let raised = Mutex(false)

    public init() {}

    public var isSet: Bool { raised.withLock { $0 } }

    public func set() { raised.withLock { $0 = true } }
}
