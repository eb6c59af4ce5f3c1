import CRdKafka

/// The librdkafka this process runs with (the shared library's, which may differ from the
/// headers it was built against): `contact-sync --version` and `contactsync_build_info` show it.
public enum Librdkafka {
    public static var version: String { String(cString: rd_kafka_version_str()) }
}
