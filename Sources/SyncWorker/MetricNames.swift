/// Every metric the worker exports. Dashboards and alerts under `deploy/` are checked against
/// these names by `scripts/lint-deploy`.
public enum MetricNames {
    /// Records finished, by `outcome` (applied, skipped, dead_lettered) and `topic`.
    public static let records = "contactsync_records_total"
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
    public static let lastCommit = "contactsync_last_commit_timestamp_seconds"
    /// 0 while the platform counts as down (outage or refused token).
    public static let platformAvailable = "contactsync_platform_available"

    /// Records the dead-letter or versions topic refused permanently (by topic and policy): alert on any.
    public static let durableWritesRefused = "contactsync_durable_writes_refused_total"

    public static let all = [records, consumerLag, endToEnd, apiRequestSeconds, apiCalls, retries, deadLetters, inFlight,
                             rebalances, paused, commits, lastCommit, platformAvailable, durableWritesRefused]
}
