import SyncCore

/// `CONTACT_SYNC_*` environment variables are refused when they are no setting, as unknown keys
/// in the file and `--set` are: a misspelled variable (`CONTACT_SYNC_TOPIC`) would otherwise be
/// ignored, and the worker would run on the default or fail later for a reason far from the typo.
enum EnvironmentCheck {
    static let prefix = "CONTACT_SYNC_"

    /// Variables of the same prefix that are not settings of the worker but are known: the
    /// configuration file's path, the other tools' own, and librdkafka's pass-through.
    static let otherTools = ["CONTACT_SYNC_CONFIG", "CONTACT_SYNC_RUNBOOK_BASE"]
    static let otherToolPrefixes = [
        "CONTACT_SYNC_KAFKA_", "CONTACT_SYNC_SANDBOX_", "CONTACT_SYNC_BENCH_", "CONTACT_SYNC_TEST_",
    ]

    /// - Throws: `ConfigError` naming the first unknown variable (sorted, so the same one every
    ///   time) and the nearest known one; its value is never shown, it may be a secret.
    static func check(_ environment: [String: String]) throws(ConfigError) {
        let known = Set(SettingKey.all.map(\.environmentName) + otherTools)
        for name in environment.keys.sorted() where name.hasPrefix(prefix) && !known.contains(name) {
            if isServiceLink(name) { continue }
            if name.hasPrefix("CONTACT_SYNC_KAFKA_") {
                try checkKafka(name)
                continue
            }
            if otherToolPrefixes.contains(where: name.hasPrefix) { continue }
            throw unknown(name, among: Array(known))
        }
    }

    /// Kubernetes gives every pod `<SERVICE>_SERVICE_HOST`, `<SERVICE>_PORT_9090_TCP_ADDR`… for
    /// each Service of its namespace (enableServiceLinks); the Service `contact-sync` (or any
    /// `contact-sync-…`) makes them start with our prefix. They are not ours to refuse.
    static func isServiceLink(_ name: String) -> Bool {
        let rest = name.dropFirst(prefix.count)
        let parts = rest.split(separator: "_", omittingEmptySubsequences: false).map(String.init)
        if let service = parts.firstIndex(of: "SERVICE"), service + 1 < parts.count,
            ["HOST", "PORT"].contains(parts[service + 1])
        {
            return true
        }
        guard let port = parts.lastIndex(of: "PORT") else { return false }
        let tail = parts[(port + 1)...]
        // `…_PORT` alone, or `…_PORT_9090_TCP[_PROTO|_PORT|_ADDR]`.
        if tail.isEmpty { return true }
        guard tail.count >= 2, tail.first!.allSatisfy(\.isNumber),
            ["TCP", "UDP", "SCTP"].contains(tail.dropFirst().first!)
        else { return false }
        return tail.count == 2 || (tail.count == 3 && ["PROTO", "PORT", "ADDR"].contains(tail.last!))
    }

    /// Under `CONTACT_SYNC_KAFKA_` any librdkafka property passes (librdkafka refuses unknown
    /// ones when the client is made), but a near miss of one of the two keys that are ours
    /// (`CONTACT_SYNC_KAFKA_GROUPID`) would become an unknown property with a puzzling message.
    private static func checkKafka(_ name: String) throws(ConfigError) {
        let ours = ["CONTACT_SYNC_KAFKA_BOOTSTRAP_SERVERS", "CONTACT_SYNC_KAFKA_GROUP_ID"]
        if let near = ours.first(where: { ConfigError.distance($0, name) <= 2 }) {
            throw unknown(name, among: [near])
        }
    }

    private static func unknown(_ name: String, among known: [String]) -> ConfigError {
        let nearest = known.min { ConfigError.distance($0, name) < ConfigError.distance($1, name) }
        let hint = nearest.map { ConfigError.distance($0, name) <= 3 ? " (did you mean \($0)?)" : "" } ?? ""
        return ConfigError(
            key: LogText.escaped(name), source: "environment", value: nil,
            expected:
                "a variable from docs/configuration.md (CONTACT_SYNC_ and the key upper-cased); this one is unknown\(hint)",
            isUnknown: true)
    }
}
