import ContactSyncTesting
import PlatformClient
import Synchronization
import Testing

@testable import SyncWorker

/// The budget's waiters: first come first served, and a waiter whose work was abandoned (its
/// partition revoked) leaves without spending a slot, so the work still owned is not paced
/// behind work nobody will do.
@Suite struct BudgetQueueTests {
    /// Fails when a waiter reserves its slot on arrival (the pacing of 8c5ea87's time): three
    /// queued, the middle one abandoned, the third was granted two intervals after the first
    /// instead of one, and a revocation leaving a thousand such waiters stalled the owned work
    /// for a thousand intervals.
    @Test func anAbandonedWaiterLeavesWithoutSpendingASlot() async throws {
        // At 1/m the first slot is a minute away: nobody is granted while the queue is built,
        // however slowly the tasks run; `setRate` then lets the queue go.
        let budget = ScopeBudget(scope: .contacts, rate: RequestRate(requests: 1, per: .seconds(60)))
        let abandoned = Flag()
        let granted = Granted<String>()
        func waiter(_ name: String, unless flag: Flag = Flag()) -> Task<Bool, any Error> {
            Task {
                let check: @Sendable () -> Bool = { flag.isSet }
                guard let ticket = try await budget.acquire(unless: check) else { return false }
                granted.append(name)
                await budget.finish(ticket, counted: true)
                return true
            }
        }
        let first = waiter("first")
        try await waitUntil { await budget.waiting == 1 }
        let second = waiter("second", unless: abandoned)
        try await waitUntil { await budget.waiting == 2 }
        let third = waiter("third")
        try await waitUntil { await budget.waiting == 3 }

        abandoned.set()
        await budget.sweepAbandoned()
        #expect(try await second.value == false, "the abandoned waiter got a ticket")
        #expect(await budget.waiting == 2)
        await budget.setRate(RequestRate(requests: 120, per: .seconds(60)))
        #expect(try await first.value)
        // Granted just now: the next slot is one interval away, not two (none went to the second).
        #expect(await budget.nextGrant <= (await budget.spacing) + .milliseconds(50))
        #expect(try await third.value)
        #expect(granted.all == ["first", "third"])
        #expect(await budget.waiting == 0)
        #expect(await budget.used <= (await budget.allowance), "an abandoned wait counted as a call in flight")
    }

    /// Waiters are granted in the order they came, whatever order their tasks run in.
    @Test func waitersAreGrantedInArrivalOrder() async throws {
        let budget = ScopeBudget(scope: .contacts, rate: RequestRate(requests: 600, per: .seconds(60)))
        let granted = Granted<Int>()
        var tasks: [Task<Void, any Error>] = []
        for index in 0..<8 {
            tasks.append(
                Task {
                    let ticket = try await budget.acquire()
                    granted.append(index)
                    await budget.finish(ticket, counted: true)
                })
            // Queued (or served already) before the next one starts.
            try await waitUntil { await budget.waiting + granted.all.count == index + 1 }
        }
        for task in tasks { try await task.value }
        #expect(granted.all == Array(0..<8))
    }

    /// A cancelled waiter leaves the queue (the worker's shutdown cancels lane tasks).
    @Test func aCancelledWaiterLeavesTheQueue() async throws {
        // At 1/m nobody is granted within the test: both wait however slowly they run.
        let budget = ScopeBudget(scope: .contacts, rate: RequestRate(requests: 1, per: .seconds(60)))
        let first = Task { try await budget.acquire() }
        try await waitUntil { await budget.waiting == 1 }
        let second = Task { try await budget.acquire() }
        try await waitUntil { await budget.waiting == 2 }
        second.cancel()
        await #expect(throws: CancellationError.self) { _ = try await second.value }
        #expect(await budget.waiting == 1)
        first.cancel()
        _ = try? await first.value
        #expect(await budget.waiting == 0)
    }

    private func waitUntil(_ condition: () async -> Bool) async throws {
        // Generous: the full suite runs beside these on two cores.
        for _ in 0..<3000 where await !condition() { try await Task.sleep(for: .milliseconds(10)) }
        #expect(await condition(), "not within 30 s")
    }
}

private final class Granted<Element: Sendable>: Sendable {
    private let list = Mutex<[Element]>([])
    var all: [Element] { list.withLock { $0 } }
    func append(_ element: Element) { list.withLock { $0.append(element) } }
}
