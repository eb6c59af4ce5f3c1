import Logging
import Metrics
import PlatformClient

/// Asks the platform whether it accepts the API token as soon as the worker starts, so that a
/// wrong or revoked token makes `/readyz` fail within seconds even when no event arrives (a
/// rollout with a bad Secret then stops at its first pod instead of succeeding).
///
/// The probe is one `GET fields.json?key=…` (a page of at most one field), counted in the `v2`
/// scope's budget. It is made once at start, then once a minute only while the answer is a
/// refusal or no answer at all; once the token is accepted, the calls events make are what
/// notice a later 401/403 (`PlatformGate`).
struct TokenProbe {
    let worker: Worker
    static let recheck: Duration = .seconds(60)

    func run() async {
        while !worker.isStopping && !Task.isCancelled {
            guard await probe() == .unsettled else { return }
            try? await Task.sleep(for: Self.recheck)
        }
    }

    enum Answer { case accepted, refused, unsettled }

    func probe() async -> Answer {
        await worker.gate.budget(.v2).countUnpaced()
        do {
            _ = try await worker.client.listFields(key: "contact_sync_token_probe")
            worker.gate.noteToken(refused: false)
            return .accepted
        } catch PlatformError.unauthorized {
            worker.gate.noteToken(refused: true)
            return .unsettled
        } catch let error as PlatformError where !error.isTransient {
            return .accepted  // an answer about the request, not the token: it was let in
        } catch {
            return .unsettled  // unreachable or failing: the platform's health judges that by real calls
        }
    }
}

extension PlatformGate {
    /// The token was refused (401/403) or a call succeeded since: readiness and the
    /// `contactsync_platform_available` gauge follow at once, with one log line per change.
    func noteToken(refused: Bool) {
        guard status.snapshot.tokenRefused != refused else { return }
        status.update { $0.tokenRefused = refused }
        Gauge(label: MetricNames.platformAvailable).record(!refused && status.snapshot.platformAvailable ? 1 : 0)
        if refused {
            logger.error(
                "the platform refuses the API token (401/403): not ready until a call succeeds; fix the token's Secret and restart"
            )
        } else {
            logger.notice("the platform accepts the API token again: ready")
        }
    }
}
