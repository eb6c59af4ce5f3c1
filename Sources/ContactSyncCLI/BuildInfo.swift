import Kafka

/// Which build this is, for `contact-sync --version` and `contactsync_build_info`. SwiftPM has no
/// build-time string defines, so the version is kept here; the release that tags an image bumps
/// it with the image tag (deploy/k8s/kustomization.yaml `newTag`, which scripts/lint-deploy checks
/// against this line).
public enum BuildInfo {
    public static let version = "0.1.0"

    /// `0.1.0 (librdkafka 2.0.2)`.
    public static var versionLine: String { "\(version) (librdkafka \(Librdkafka.version))" }
}
