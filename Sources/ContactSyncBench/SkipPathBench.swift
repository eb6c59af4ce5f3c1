import SyncCore

/// Issue 27's skip path on one core: a replay or backfill of events that change nothing (each
/// newer than what was applied, with the image already written) goes decode → version guard →
/// image digest → offset tracker, with no call. The worker adds, per change, the version's
/// write to the versions topic (a produce, confirmed asynchronously), which this row leaves out.
enum SkipPathBench {
    static let entities = 10_000

    static func run() -> [Bench.Row] {
        let records = PipelineBench.events(200_000)
        let decoder = EventDecoder(configuration: DecoderConfiguration(defaultCountryCode: "55"))
        let managed = ["customers", "vip"]  // sorted once, as the worker's handler keeps them

        // What the store holds before the replay: every entity written once with this image.
        var applied: [String: AppliedVersion] = [:]
        for record in records.prefix(entities) {
            guard case .change(let change) = decoder.decode(record) else { continue }
            applied[change.entityKey] = AppliedVersion(
                version: .sequence(-1), eventID: "written", deleted: false, contactUUID: nil,
                digest: ImageDigest(change, sortedManagedGroups: managed))
        }

        // Five passes over the 200,000 records make the replay of 1,000,000 events; each
        // pass starts from the same store, copied before its clock starts.
        var unchanged = 0
        var calls = 0
        let passes = Passes(events: records.count) {
            var store = applied
            store.reserveCapacity(applied.count)  // the copy happens here, not on the first write
            let (time, passUnchanged, passCalls) = pass(records, decoder: decoder, managed: managed, applied: &store)
            unchanged += passUnchanged
            calls += passCalls
            return time
        }
        precondition(unchanged == records.count * Passes.count && calls == 0, "every replayed event is unchanged")
        return [
            .init(
                name:
                    "skip path per event: decode → version guard → image digest → OffsetTracker, a replay whose every event changes nothing (one core; the worker's versions-topic produce not included; median of \(Passes.count) passes)",
                figure: "\(formatted(passes.median)) events/s", target: "≥ 200,000/s, 0 calls",
                beside: "\(entities) entities, \(unchanged) events unchanged, \(calls) calls; \(passes.summary)",
                met: passes.median >= 200_000 && calls == 0)
        ]
    }

    /// One replay of `records` against `applied`: how long it took, the events found unchanged,
    /// and the calls the others would have made.
    private static func pass(
        _ records: [InboundRecord], decoder: EventDecoder, managed: [String], applied: inout [String: AppliedVersion]
    ) -> (Duration, unchanged: Int, calls: Int) {
        var tracker = OffsetTracker()
        var unchanged = 0
        var calls = 0
        let time = ContinuousClock().measure {
            for record in records {
                tracker.fetched(record.offset)
                guard case .change(let change) = decoder.decode(record) else { continue }
                let key = change.entityKey
                let last = applied[key]
                if VersionGuard.decide(version: change.version, eventID: change.eventID, last: last) == .apply {
                    let digest = ImageDigest(change, sortedManagedGroups: managed)
                    if let last, !last.deleted, digest == last.digest {
                        unchanged += 1
                    } else {
                        calls += 1
                    }
                    // The version advances either way (written to the versions topic by the worker).
                    applied[key] = AppliedVersion(
                        version: change.version, eventID: change.eventID, deleted: change.isDelete, contactUUID: nil,
                        digest: digest)
                }
                tracker.finished(record.offset)
            }
        }
        return (time, unchanged, calls)
    }
}
