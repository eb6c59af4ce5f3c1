import Logging
import Metrics
import PlatformClient
import Synchronization

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
    /// Each workspace's token is probed on its own: one refused token makes only its workspace unhealthy.
    let workspace: Workspace
    static let recheck: Duration = .seconds(60)

    func run() async {
        guard !workspace.gate.paused else { return }  // no call to a workspace paused by configuration
        while !worker.isStopping && !Task.isCancelled {
            guard await probe() == .unsettled else { return }
            try? await Task.sleep(for: Self.recheck)
        }
    }

    enum Answer { case accepted, refused, unsettled }

    func probe() async -> Answer {
        await workspace.gate.budget(.v2).countUnpaced()
        do {
            _ = try await workspace.client.listFields(key: "contact_sync_token_probe")
            workspace.gate.noteToken(refused: false)
            return .accepted
        } catch PlatformError.unauthorized {
            workspace.gate.noteToken(refused: true)
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
        let changed = standing.withLock { standing in
            guard standing.tokenRefused != refused else { return false }
            standing.tokenRefused = refused
            return true
        }
        guard changed else { return }
        publishHealth()
        if refused {
            logger.error(
                "the platform refuses the API token (401/403): not ready until a call succeeds; fix the token's Secret and restart"
            )
        } else {
            logger.notice("the platform accepts the API token again: ready")
        }
    }

    /// Writes this workspace's health where readiness and the gauge read it. The single
    /// workspace keeps the status's own flags (and the unlabelled gauge); a named one is listed
    /// among the unhealthy workspaces, and the platform counts as available while any is not.
    func publishHealth() {
        let standing = standing.withLock { $0 }
        guard let workspace else {
            status.update {
                $0.platformAvailable = !standing.degraded
                $0.tokenRefused = standing.tokenRefused
            }
            Gauge(label: MetricNames.platformAvailable).record(standing.degraded || standing.tokenRefused ? 0 : 1)
            return
        }
        let problem: String? =
            standing.tokenRefused
            ? "the platform refuses this workspace's API token (401/403)"
            : standing.degraded ? "platform unavailable or degraded (\(standing.why ?? "recent calls failing"))" : nil
        status.update {
            $0.unhealthyWorkspaces[workspace] = problem
            $0.platformAvailable = $0.unhealthyWorkspaces.count < max(1, $0.workspaceCount)
        }
        Gauge(label: MetricNames.platformAvailable, dimensions: [("workspace", workspace)]).record(
            problem == nil ? 1 : 0)
    }
}
