/// Every metric the worker exports. Dashboards and alerts under `deploy/` are checked against
/// these names by `scripts/lint-deploy`.
public enum MetricNames {
    /// Records finished, by `outcome` (applied, skipped, dead_lettered) and `topic`.
    public static let records = "contactsync_records_total"
    /// Records skipped without a call, by `reason` (tombstone, duplicate, stale, done_before,
    /// unchanged) and `topic`: a subset of `records` with `outcome="skipped"`.
    public static let skipped = "contactsync_records_skipped_total"
    /// Records not yet committed by the group, per `topic` and `partition`.
    public static let consumerLag = "contactsync_consumer_lag"
    /// From the record's timestamp to its outcome (histogram, seconds).
    public static let endToEnd = "contactsync_end_to_end_seconds"
    /// Platform request latency by `endpoint`, `method`, `status` (histogram, seconds).
    public static let apiRequestSeconds = "contactsync_api_request_seconds"
    /// Platform requests by `endpoint`, `method`, `status`.
    public static let apiCalls = "contactsync_api_calls_total"
    public static let retries = "contactsync_retries_total"
    /// Dead-lettered records by `reason`.
    public static let deadLetters = "contactsync_dead_letters_total"
    public static let inFlight = "contactsync_in_flight"
    public static let rebalances = "contactsync_rebalances_total"
    /// 1 while consumption is paused (backpressure or platform down).
    public static let paused = "contactsync_paused"
    public static let commits = "contactsync_commits_total"
    /// When this instance last committed (seconds since the epoch); the process's start time
    /// until its first commit, so "nothing committed for N minutes" holds for one stuck since start.
    public static let lastCommit = "contactsync_last_commit_timestamp_seconds"
    /// 0 while the platform counts as degraded or down (failure rate, outage or refused token).
    public static let platformAvailable = "contactsync_platform_available"
    /// 429 answers by `scope` (`v2.contacts`, `v2`): someone else spends the workspace's budget too.
    public static let throttled = "contactsync_platform_throttled_total"
    /// Calls this instance may make per window, by `scope` (its share of the workspace's budget).
    public static let budgetAllowance = "contactsync_budget_allowance"
    /// Calls counted in the current window, by `scope`.
    public static let budgetUsed = "contactsync_budget_used"
    /// Seconds calls waited for budget, by `scope`.
    public static let budgetWaitSeconds = "contactsync_budget_wait_seconds_total"
    /// URNs left out by the platform because another contact holds them.
    public static let urnConflicts = "contactsync_urn_conflicts_total"
    /// Group changes skipped, by `reason` (`contact_not_active`).
    public static let groupChangesSkipped = "contactsync_group_changes_skipped_total"

    /// Versions partitions whose state store is being restored now (their source partitions wait).
    public static let stateRestoring = "contactsync_state_restoring_partitions"
    /// Versions-topic records read into state stores, by `kind` (`warm`: a store from an earlier
    /// run, only the tail past its checkpoint; `cold`: a new, moved or rebuilt store, everything).
    public static let stateRestoredRecords = "contactsync_state_restored_records_total"
    /// How long a store's restore took, by `kind` (histogram, seconds).
    public static let stateRestoreSeconds = "contactsync_state_restore_seconds"

    /// Records the dead-letter or versions topic refused permanently (by topic and policy): alert on any.
    public static let durableWritesRefused = "contactsync_durable_writes_refused_total"
    /// Failed attempts to write to the dead-letter or versions topic that are retried (brokers
    /// down, timeouts), by `topic`: the spells `/readyz` reports while they last.
    public static let durableWriteRetries = "contactsync_durable_write_retries_total"

    /// Framed records the schema registry could not decode, by `reason` (`registry_unavailable`
    /// for every unanswered lookup while records wait; `unknown_schema`, `undecodable_avro`, …
    /// once per dead-lettered record).
    public static let schemaRegistryFailures = "contactsync_schema_registry_failures_total"

    /// Seconds since the oldest record fetched and not yet done was fetched (0 when none): what
    /// keeps the commit back, and for how long.
    public static let oldestPending = "contactsync_oldest_pending_seconds"

    /// 1, labelled with the build's `version` and the `librdkafka` version it runs with: which
    /// build each instance runs (`contact-sync --version` prints the same).
    public static let buildInfo = "contactsync_build_info"

    public static let all = [
        records, skipped, consumerLag, endToEnd, apiRequestSeconds, apiCalls, retries, deadLetters, inFlight,
        rebalances, paused, commits, lastCommit, platformAvailable, durableWritesRefused, durableWriteRetries,
        stateRestoring,
        stateRestoredRecords, stateRestoreSeconds, buildInfo, schemaRegistryFailures, oldestPending,
    ]
}
