import Kafka
import SyncCore
import Testing

@testable import SyncWorker

/// The pipeline's decisions on their own: which lane runs, what an offset may commit, when
/// fetching pauses. No broker, no platform, no tasks.
@Suite struct PipelineUnitTests {
    private static let p0 = TopicPartition("customers", 0)
    private static let p1 = TopicPartition("customers", 1)

    private func item(_ partition: TopicPartition, _ offset: Int64, delete: Bool = false) -> WorkItem {
        let urn = try! URN(parsing: "ext:cus_\(offset)")
        let change = ContactChange(
            extURN: urn, version: .sequence(offset), eventID: "e\(offset)",
            action: delete ? .delete : .upsert(ContactPatch()))
        let record = KafkaRecord(
            topic: partition.topic, partition: partition.partition, offset: offset, key: nil, value: [1, 2, 3])
        return WorkItem(record: record, change: change)
    }

    @Test func oneKeyRunsOneBatchAtATimeAndFoldsWhatArrivedMeanwhile() {
        var lanes = LaneScheduler(maxInFlight: 4)
        do {
            let got = lanes.enqueue(item(Self.p0, 0), key: "a")
            #expect(got == ["a"])
        }
        // The lane holds a slot but has not taken its records: the next ones join its batch.
        do {
            let got = lanes.enqueue(item(Self.p0, 1), key: "a")
            #expect(got == [])
        }
        do {
            let got = lanes.take("a").map(\.offset)
            #expect(got == [0, 1])
        }
        do {
            let got = lanes.enqueue(item(Self.p0, 2), key: "a")
            #expect(got == [], "a running key does not start twice")
        }
        #expect(lanes.applying(nil) == 2)
        do {
            let got = lanes.complete("a")
            #expect(got == ["a"], "its next batch starts once the first is done")
        }
        do {
            let got = lanes.take("a").map(\.offset)
            #expect(got == [2])
        }
        do {
            let got = lanes.complete("a")
            #expect(got == [])
        }
        #expect(lanes.pendingEntities == 0 && lanes.load == 0 && lanes.pendingBytes == 0)
    }

    @Test func slotsLimitCallsAndGoToTheOldestWaitingKey() {
        var lanes = LaneScheduler(maxInFlight: 2)
        do {
            let got = lanes.enqueue(item(Self.p0, 0), key: "a")
            #expect(got == ["a"])
        }
        do {
            let got = lanes.enqueue(item(Self.p0, 1), key: "b")
            #expect(got == ["b"])
        }
        do {
            let got = lanes.enqueue(item(Self.p0, 2), key: "c")
            #expect(got == [], "no third slot")
        }
        do {
            let got = lanes.enqueue(item(Self.p0, 3), key: "d")
            #expect(got == [])
        }
        _ = lanes.take("a")
        // A lane gives its slot back when its call ends, before it is complete.
        do {
            let got = lanes.releaseSlot("a")
            #expect(got == ["c"])
        }
        do {
            let got = lanes.releaseSlot("a")
            #expect(got == [], "a slot is released once")
        }
        #expect(lanes.inFlight == 2)
        _ = lanes.take("b")
        do {
            let got = lanes.complete("b")
            #expect(got == ["d"])
        }
    }

    @Test func dropQueuedKeepsWhatIsBeingAppliedAndOtherPartitions() {
        var lanes = LaneScheduler(maxInFlight: 1)
        _ = lanes.enqueue(item(Self.p0, 0), key: "a")
        _ = lanes.take("a")
        _ = lanes.enqueue(item(Self.p0, 1), key: "a")
        _ = lanes.enqueue(item(Self.p0, 2), key: "b")
        _ = lanes.enqueue(item(Self.p1, 3), key: "c")
        lanes.dropQueued([Self.p0])
        #expect(lanes.applying([Self.p0]) == 1, "the record being applied stays")
        #expect(lanes.queued == 1, "only the other partition's record is still queued")
        do {
            let got = lanes.complete("a")
            #expect(got == ["c"], "b was dropped: c gets the slot")
        }
        do {
            let got = lanes.take("c").map(\.offset)
            #expect(got == [3])
        }
    }

    @Test func aHeldPartitionsLanesWaitWithoutASlotAndStartFirstWhenReleased() {
        var lanes = LaneScheduler(maxInFlight: 1)
        lanes.hold([Self.p1])
        do {
            let got = lanes.enqueue(item(Self.p1, 0), key: "held")
            #expect(got == [], "its partition's state is being restored")
        }
        do {
            let got = lanes.enqueue(item(Self.p0, 1), key: "a")
            #expect(got == ["a"], "the one slot goes to the other partition")
        }
        _ = lanes.enqueue(item(Self.p0, 2), key: "b")
        #expect(lanes.inFlight == 1)
        do {
            let got = lanes.release([Self.p1])
            #expect(got == [], "no free slot yet")
        }
        _ = lanes.take("a")
        do {
            let got = lanes.complete("a")
            #expect(got == ["held"], "the parked lane is the oldest waiting")
        }
        do {
            let got = lanes.release([Self.p1])
            #expect(got == [], "released once")
        }
    }

    @Test func revokingAHeldPartitionDropsItsParkedLanes() {
        var lanes = LaneScheduler(maxInFlight: 1)
        lanes.hold([Self.p1])
        _ = lanes.enqueue(item(Self.p1, 0), key: "held")
        lanes.dropQueued([Self.p1])
        #expect(lanes.held.isEmpty && lanes.queued == 0 && lanes.pendingEntities == 0)
        do {
            let got = lanes.enqueue(item(Self.p1, 1), key: "held")
            #expect(got == ["held"], "assigned again later and not held: it runs")
        }
    }

    @Test func onlyDeletesSkipTheContactsBudget() {
        var lanes = LaneScheduler(maxInFlight: 1)
        _ = lanes.enqueue(item(Self.p0, 0, delete: true), key: "a")
        #expect(!lanes.needsContactCall("a"))
        _ = lanes.enqueue(item(Self.p0, 1), key: "a")
        #expect(lanes.needsContactCall("a"))
    }

    @Test func offsetsCommitOnlyPastTheOldestUnfinishedRecord() {
        var progress = OffsetProgress()
        for offset in Int64(10)...12 { progress.fetched(Self.p0, offset) }
        progress.fetched(Self.p1, 5)
        progress.finished(Self.p0, 11)
        progress.finished(Self.p0, 12)
        // 10 is not done: p0's position stays at 10 whatever finished after it.
        #expect(progress.committable([Self.p0]) == [TopicPartitionOffset("customers", 0, 10)])
        progress.finished(Self.p0, 10)
        #expect(progress.committable([Self.p0]) == [TopicPartitionOffset("customers", 0, 13)])
        #expect(progress.pending(in: [Self.p0, Self.p1]) == 1)
        progress.didCommit([TopicPartitionOffset("customers", 0, 13)])
        #expect(progress.committable([Self.p0]).isEmpty, "nothing new since the commit")
        progress.forget([Self.p1])
        #expect(progress.pending(in: [Self.p1]) == 0)
    }

    /// What a previous owner left in the versions topic, against the group's commit (10, its
    /// metadata naming 12). Fails when a record older than the commit is taken (its offsets
    /// are another commit's story), when one made without a commit is taken (offsets deleted
    /// with a recreated topic: old offsets would skip new records), when the offsets below its
    /// own are not counted done (its commit was refused), or when the metadata's are dropped.
    @Test func whatTheVersionsTopicSaysIsDoneCountsFromTheGroupsCommit() {
        let committed = CommittedOffset(partition: Self.p0, offset: 10, metadata: "cs1:10:2")
        var progress = OffsetProgress()
        progress.start(Self.p0, committed: committed)
        #expect(progress.learnDonePast(Self.p0, DoneOffsets(committed: 8, offsets: [15])) == 0, "older than the commit")
        #expect(!progress.wasDoneBefore(Self.p0, 15))
        #expect(progress.learnDonePast(Self.p0, DoneOffsets(committed: 14, offsets: [16])) == 5)
        let done = (Int64(10)...17).filter { progress.wasDoneBefore(Self.p0, $0) }
        #expect(done == [10, 11, 12, 13, 16], "below 14, and 16; 12 from the metadata")

        var fresh = OffsetProgress()
        fresh.start(Self.p0, committed: CommittedOffset(partition: Self.p0, offset: -1001, metadata: nil))
        #expect(fresh.learnDonePast(Self.p0, DoneOffsets(committed: 674, offsets: [])) == 0, "no commit")
        #expect(!fresh.wasDoneBefore(Self.p0, 0))
    }

    @Test func backpressurePausesPastEitherLimitAndResumesBelowHalfOfBoth() {
        var fetch = FetchControl(backpressure: Backpressure(maxEntities: 100, maxBytes: 1000))
        let assignment: Set = [Self.p0, Self.p1]
        do {
            let pause = fetch.wantsPause(entities: 100, bytes: 1000, platformDegraded: false, throttled: false)
            #expect(!pause)
        }
        var pause = fetch.wantsPause(entities: 101, bytes: 0, platformDegraded: false, throttled: false)
        #expect(pause)
        do {
            let got = fetch.step(wantsPause: pause, held: [], assignment: assignment)
            #expect(got == .init(pause: [Self.p0, Self.p1]))
        }
        do {
            let got = fetch.step(wantsPause: pause, held: [], assignment: assignment)
            #expect(got == nil, "paused once")
        }
        // Between half and the limit: still paused (no flapping).
        pause = fetch.wantsPause(entities: 60, bytes: 100, platformDegraded: false, throttled: false)
        #expect(pause)
        pause = fetch.wantsPause(entities: 50, bytes: 600, platformDegraded: false, throttled: false)
        #expect(pause, "bytes above half keep it paused")
        pause = fetch.wantsPause(entities: 50, bytes: 500, platformDegraded: false, throttled: false)
        #expect(!pause)
        do {
            let got = fetch.step(wantsPause: pause, held: [], assignment: assignment)
            #expect(got == .init(resume: [Self.p0, Self.p1]))
        }
        #expect(!fetch.isPaused && !fetch.needsAssignment(wantsPause: false, held: []))
    }

    @Test func aPartitionAssignedWhilePausedIsPausedToo() {
        var fetch = FetchControl(backpressure: Backpressure(maxEntities: 10, maxBytes: 10))
        do {
            let got = fetch.step(wantsPause: true, held: [], assignment: [Self.p0])
            #expect(got == .init(pause: [Self.p0]))
        }
        do {
            let got = fetch.step(wantsPause: true, held: [], assignment: [Self.p0, Self.p1])
            #expect(got == .init(pause: [Self.p1]))
        }
        // Revoked and assigned again between two polls: librdkafka fetches it again, unpaused.
        do {
            let got = fetch.step(wantsPause: true, held: [], assignment: [Self.p0, Self.p1], assigned: [Self.p0])
            #expect(got == .init(pause: [Self.p0]))
        }
    }

    @Test func heldPartitionsPauseAloneAndResumeWhenReleased() {
        var fetch = FetchControl(backpressure: Backpressure(maxEntities: 10, maxBytes: 10))
        let assignment: Set = [Self.p0, Self.p1]
        #expect(fetch.needsAssignment(wantsPause: false, held: [Self.p1]))
        do {
            let got = fetch.step(wantsPause: false, held: [Self.p1], assignment: assignment)
            #expect(got == .init(pause: [Self.p1]))
            #expect(!fetch.isPaused, "the other partitions go on fetching")
        }
        // Backpressure on top pauses the rest; when it lifts, the held one stays paused.
        do {
            let got = fetch.step(wantsPause: true, held: [Self.p1], assignment: assignment)
            #expect(got == .init(pause: [Self.p0]))
        }
        do {
            let got = fetch.step(wantsPause: false, held: [Self.p1], assignment: assignment)
            #expect(got == .init(resume: [Self.p0]))
        }
        do {
            let got = fetch.step(wantsPause: false, held: [], assignment: assignment)
            #expect(got == .init(resume: [Self.p1]))
        }
        #expect(!fetch.needsAssignment(wantsPause: false, held: []))
    }

    @Test func aDegradedPlatformPausesOnlyWithWorkToRetry() {
        var fetch = FetchControl(backpressure: Backpressure(maxEntities: 10, maxBytes: 10))
        do {
            let pause = fetch.wantsPause(entities: 0, bytes: 0, platformDegraded: true, throttled: false)
            #expect(!pause)
        }
        do {
            let pause = fetch.wantsPause(entities: 1, bytes: 0, platformDegraded: true, throttled: false)
            #expect(pause)
        }
        do {
            let pause = fetch.wantsPause(entities: 0, bytes: 0, platformDegraded: false, throttled: true)
            #expect(pause)
        }
    }
}

/// When lanes hold their calls for the read-ahead of a backlog.
@Suite struct ReadAheadTests {
    /// What `ReadAhead` answers after each poll of `polls` (backlog left, records the poll
    /// handed out, fetching paused, time).
    private func held(limit: Duration = .seconds(5), _ polls: [(Int64, Int, Bool, Duration)]) -> [Bool] {
        var readAhead = ReadAhead(limit: limit, threshold: 500)
        let start = ContinuousClock.now
        return polls.map { readAhead.update(backlog: $0.0, polled: $0.1, fetchPaused: $0.2, now: start + $0.3) }
    }

    /// Fails when a live stream (a few records behind at each poll) is held, or when the hold
    /// ends at the threshold instead of after the poll that reads the rest (the backlog's last
    /// records then follow their contacts' writes).
    @Test func aBacklogIsHeldFromPastAPollsWorthToThePollThatReadsTheRest() {
        let answers = held([
            (0, 0, false, .zero), (500, 0, false, .zero), (501, 500, false, .zero), (3, 498, false, .seconds(1)),
            (0, 3, false, .seconds(2)), (3, 3, false, .seconds(2)),
        ])
        #expect(answers == [false, false, true, true, false, false])
    }

    /// Small fetches bring the backlog in a dozen records a poll (a slow link, or
    /// `max.partition.fetch.bytes` set low): the hold lasts until the polls have read what was
    /// left at the threshold, through polls that brought nothing. Fails on the hold that ended
    /// one poll after the threshold (the last 488 records followed their contacts' writes).
    @Test func aBacklogReadInSmallFetchesIsHeldUntilItsLastRecordsAreRead() {
        let answers = held([
            (1_988, 12, false, .zero), (500, 12, false, .milliseconds(100)), (488, 12, false, .milliseconds(110)),
            (488, 0, false, .milliseconds(120)), (10, 478, false, .milliseconds(200)),
            (5, 10, false, .milliseconds(210)),
        ])
        #expect(answers == [true, true, true, true, true, false])
    }

    /// A live producer writes behind the backlog, so the unread count never reaches 0. Fails when
    /// the hold waits for 0 (it lasted the whole limit: after a rolling restart the new owner's
    /// partitions were idle for seconds).
    @Test func aLiveProducerBehindTheBacklogDoesNotProlongTheHold() {
        let answers = held([
            (2_000, 500, false, .zero), (900, 500, false, .milliseconds(100)), (300, 500, false, .milliseconds(200)),
            (250, 500, false, .milliseconds(300)), (600, 500, false, .milliseconds(400)),
        ])
        #expect(answers == [true, true, true, false, true])
    }

    /// Fails when the limit is not kept, or when a backlog that never ends is held again after it.
    @Test func oneBacklogHoldsAtMostTheLimitAndNotAgainUntilCaughtUp() {
        let answers = held([
            (10_000, 500, false, .zero), (9_000, 500, false, .milliseconds(4_999)), (8_000, 500, false, .seconds(5)),
            (20_000, 500, false, .seconds(60)), (300, 500, false, .seconds(61)), (20_000, 500, false, .seconds(62)),
        ])
        #expect(answers == [true, true, false, false, false, true])
    }

    /// Partitions wait for their restore while the others read a backlog: lanes are held from the
    /// start (the restored partitions' contacts must fold too), and the wait does not use up the
    /// limit. Fails when the hold starts only after the restore (the restored partitions' first
    /// events were written, then their later ones again: 500 extra writes in the CDC row), or when
    /// the restore's seconds count against the limit (the hold ended with the backlog unread).
    @Test func aRestoreDoesNotEndTheHoldOfThePartitionsAlreadyReading() {
        var readAhead = ReadAhead(limit: .seconds(5), threshold: 500)
        let start = ContinuousClock.now
        func poll(_ backlog: Int64, restoring: Bool, at time: Duration) -> Bool {
            readAhead.update(backlog: backlog, polled: 500, fetchPaused: false, restoring: restoring, now: start + time)
        }
        #expect(poll(90_000, restoring: true, at: .zero))
        #expect(poll(89_000, restoring: true, at: .seconds(4)))
        #expect(poll(88_000, restoring: true, at: .seconds(8)))
        // Restored: four seconds of the limit are left from here.
        #expect(poll(50_000, restoring: false, at: .seconds(9)))
        #expect(poll(10_000, restoring: false, at: .seconds(12)))
        #expect(!poll(5_000, restoring: false, at: .seconds(13)))
    }

    /// Fails when lanes are held while nothing more can arrive (fetching paused), or at all with
    /// the read-ahead switched off.
    @Test func pausedFetchingAndAZeroLimitNeverHold() {
        let answers = held([
            (10_000, 1, true, .zero), (10_000, 500, false, .seconds(1)), (10_000, 1, true, .seconds(2)),
        ])
        #expect(answers == [false, true, false])
        #expect(held(limit: .zero, [(10_000, 500, false, .zero)]) == [false])
    }
}
