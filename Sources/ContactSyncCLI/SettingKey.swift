import Foundation

/// Every configuration key: its name, default, what it expects and what it does. The loader,
/// `docs/configuration.md` and the tests all read this one table.
public struct SettingKey: Sendable {
    public let name: String
    public let defaultValue: String?
    public let expected: String
    public let summary: String
    public let example: String
    public let isSecret: Bool

    /// `kafka.bootstrap_servers` → `CONTACT_SYNC_KAFKA_BOOTSTRAP_SERVERS`.
    public var environmentName: String {
        "CONTACT_SYNC_" + name.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    init(
        _ name: String, _ defaultValue: String?, _ expected: String, _ summary: String, example: String,
        secret: Bool = false
    ) {
        self.name = name
        self.defaultValue = defaultValue
        self.expected = expected
        self.summary = summary
        self.example = example
        isSecret = secret
    }

    public static let all: [SettingKey] = [
        .init(
            "kafka.bootstrap_servers", "localhost:9092", "host:port[,host:port…]",
            "Kafka brokers (librdkafka `bootstrap.servers`).", example: "kafka-1:9092,kafka-2:9092"),
        .init(
            "kafka.group_id", "contact-sync", "a consumer group id", "The consumer group every instance joins.",
            example: "contact-sync-prod"),
        .init(
            "topics", nil, "comma-separated topic names", "Topics to consume (required for `run`).",
            example: "customers,leads"),
        .init(
            "dlq_topic", "contact-sync.dlq", "a topic name",
            "Dead-letter topic: records that cannot be applied, with the reason in headers.", example: "contacts.dlq"),
        .init(
            "versions_topic", nil, "a topic name",
            "Compacted topic of applied versions (the replay guard). Default `<group>.versions`.",
            example: "contact-sync-prod.versions"),
        .init(
            "platform.url", nil, "an http(s) URL", "The flow platform's base URL (`/api/v2/` is added).",
            example: "https://flows.weni.ai"),
        .init(
            "platform.token", nil, "the API token", "API token (prefer `platform.token_file`). Never logged.",
            example: "(from a secret)", secret: true),
        .init(
            "platform.token_file", nil, "a readable file path",
            "File holding the API token, e.g. a mounted Kubernetes Secret.",
            example: "/var/run/secrets/contact-sync/token"),
        .init(
            "platform.flavor", "textit", "textit, rapidpro9 or weni",
            "Which platform: field-create spelling, field-key rules and default budgets (every flavour's error texts are recognised).",
            example: "weni"),
        .init(
            "platform.field_spelling", nil, "name_type or label_value_type",
            "How fields are created. Default: the flavour's (`label`/`value_type` on Weni, `name`/`type` elsewhere).",
            example: "label_value_type"),
        .init(
            "platform.budget.contacts", nil, "N/s, N/m, N/h or N/d (DRF's form); 0: unlimited",
            "The workspace's budget for contacts.json, shared by every instance. Default: the flavour's (3600/h on TextIt, 2500/h on RapidPro 9 and Weni).",
            example: "3600/h"),
        .init(
            "platform.budget.v2", nil, "N/s, N/m, N/h or N/d (DRF's form); 0: unlimited",
            "The workspace's budget for fields.json, groups.json and contact_actions.json. Default: the flavour's.",
            example: "3600/h"),
        .init(
            "platform.managed_groups", nil, "comma-separated group names",
            "Groups contact-sync owns: a contact's membership among them follows its last event's `groups`. Groups events name are added; no other group is ever removed.",
            example: "Customers,VIP"),
        .init(
            "platform.workspace_from", nil, "header:<name>, or a JSON pointer such as /tenant or /data/account_id",
            "How an event names its workspace when `platform.workspaces` (file only) lists several: a record header, or a JSON pointer into the event (for Debezium, into the row). An event naming none, or one not listed, is dead-lettered (`unknown_workspace`).",
            example: "header:tenant"),
        .init(
            "platform.request_timeout_seconds", "10", "a number of seconds from 0.1 to 300",
            "Timeout of one platform request.", example: "5"),
        .init(
            "max_in_flight", "64", "a whole number from 1 to 10000",
            "Platform calls in flight at once (sized for a 20–100 ms platform).", example: "128"),
        .init(
            "rate_limit_per_second", nil, "a number above 0",
            "Older form of the budget: sets both `platform.budget.*` to N/s where they are not given.", example: "40"),
        .init(
            "retry.max_attempts", nil, "a whole number from 1 to 1000",
            "No longer used: the retry budget is time (`retry.max_elapsed_seconds`); accepted for old configurations.",
            example: "12"),
        .init(
            "retry.max_elapsed_seconds", "300", "a number of seconds from 1 to 86400",
            "Time budget per event for retrying transient failures of a working platform (waits for 429s and a degraded platform do not count).",
            example: "600"),
        .init(
            "backpressure.max_pending_entities", "10000", "a whole number from 1 to 10000000",
            "Fetching pauses past this many entities with pending records (resumes below half).", example: "20000"),
        .init(
            "backpressure.max_pending_mb", "32", "a whole number of MB from 1 to 4096",
            "Fetching pauses past this estimate of pending records' memory (resumes below half).", example: "64"),
        .init(
            "read_ahead_ms", "5000", "milliseconds from 0 to 60000",
            "In a backlog, how long contact writes wait while later events are read, so a contact's events fold into one write (0: write at once).",
            example: "2000"),
        .init(
            "retry.base_ms", "100", "milliseconds from 1 to 60000", "First back-off step (full jitter, doubling).",
            example: "200"),
        .init("retry.cap_ms", "30000", "milliseconds from 1 to 600000", "Largest back-off step.", example: "10000"),
        .init(
            "commit_interval_ms", "1000", "milliseconds from 10 to 60000", "How often finished offsets are committed.",
            example: "500"),
        .init(
            "drain_deadline_seconds", "30", "seconds from 0 to 3600",
            "How long shutdown and revocation wait for in-flight work.", example: "20"),
        .init(
            "outage_threshold", "10", "a whole number from 2 to 10000",
            "Consecutive transient failures after which the platform counts as down (consumption pauses).",
            example: "20"),
        .init(
            "mapping_file", nil, "a readable YAML file",
            "How topics map to contact changes (see examples/mappings.yaml). Unset: canonical envelope everywhere.",
            example: "/etc/contact-sync/mappings.yaml"),
        .init(
            "default_country_code", nil, "digits, e.g. 55",
            "Country code for `tel:` numbers without one (overrides the mapping file's).", example: "55"),
        .init(
            "http.host", "0.0.0.0", "an address", "Where /healthz, /readyz and /metrics listen.", example: "127.0.0.1"),
        .init(
            "http.port", "9090", "a port from 0 to 65535 (0: any free port)", "Port of /healthz, /readyz and /metrics.",
            example: "8081"),
        .init(
            "log.format", "auto", "auto, json or text",
            "Log lines: JSON (default when stderr is not a terminal) or text.", example: "json"),
        .init(
            "log.level", "info", "trace, debug, info, notice, warning, error or critical", "Lowest level logged.",
            example: "debug"),
        .init(
            "log.pii", "false", "true or false", "Log phone numbers and emails unmasked (`--log-pii`).",
            example: "false"),
        .init(
            "dead_letter.on_refused", "halt", "halt or skip",
            "When the dead-letter (or versions) topic refuses a record for good (too large after shrinking, not authorised): `halt` stops the worker with the reason, nothing past the record committed; `skip` logs it and moves on.",
            example: "skip"),
        .init(
            "instance_id", nil, "any text",
            "This instance's name in logs and dead-letter headers. Default: the host name.",
            example: "contact-sync-7d9f-x2"),
        .init(
            "state.dir", nil, "a writable directory, one per instance",
            "Where the version guard's state stores live (a persistent volume per instance makes restarts warm: only the versions topic's tail is read). Unset: a temporary directory, restored from the topic at every start.",
            example: "/var/lib/contact-sync"),
        .init(
            "schema_registry.url", nil, "an http(s) URL",
            "Confluent-compatible schema registry: records in the Confluent wire format (Avro, JSON Schema) are decoded through it before their topic's format applies. Unset: such records are dead-lettered as `malformed_json`.",
            example: "https://psrc-123.eu-west-1.aws.confluent.cloud"),
        .init(
            "schema_registry.username", nil, "a user name or API key",
            "Basic auth user (Confluent Cloud: the API key); needs a password.", example: "SR-API-KEY"),
        .init(
            "schema_registry.password", nil, "the password or API secret",
            "Basic auth password (prefer `schema_registry.password_file`). Never logged.",
            example: "(from a secret)", secret: true),
        .init(
            "schema_registry.password_file", nil, "a readable file path", "File holding the basic auth password.",
            example: "/var/run/secrets/contact-sync/registry-password"),
        .init(
            "schema_registry.bearer_token", nil, "a bearer token",
            "Bearer token instead of basic auth (prefer `schema_registry.bearer_token_file`). Never logged.",
            example: "(from a secret)", secret: true),
        .init(
            "schema_registry.bearer_token_file", nil, "a readable file path", "File holding the bearer token.",
            example: "/var/run/secrets/contact-sync/registry-token"),
    ]

    public static func named(_ name: String) -> SettingKey? { all.first { $0.name == name } }
}
