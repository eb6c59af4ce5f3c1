import Foundation
import Hummingbird
import JSON
import Synchronization

/// `/_sandbox/…`: read-outs and switches for tests and other processes; never authenticated,
/// faulted, throttled or counted.
///
/// - `GET /_sandbox/state`, `GET /_sandbox/stats`
/// - `GET|POST /_sandbox/chaos` (latencyMs, failRate, ratePerSecond, throttleReads, rejectAllTokens)
/// - `GET|POST /_sandbox/throttle` `{"contacts": "1200/m", "v2": null}` (absent: unchanged, null: unlimited)
/// - `GET|POST /_sandbox/flow` `{"groupOnCreate": "Opted In"}` (null: flows do nothing)
/// - `POST /_sandbox/contacts/status` `{"contact": <uuid or urn>, "status": "stopped"}`
///
/// Each answers for the first workspace, or for the one named by `?workspace=NAME` when the
/// sandbox serves several (`--workspace NAME:TOKEN[:RATE]`).
struct SandboxAdmin {
    let core: SandboxCore

    func answer(_ request: Request, path: String) async -> Response {
        let body: JSON? = request.method == .post ? await Self.body(of: request) : nil
        let tenant: SandboxTenant
        if let name = request.uri.queryParameters["workspace"].map(String.init) {
            guard let named = core.tenants[name] else {
                return SandboxResponder.response(
                    APIError.detail(
                        .notFound,
                        "The sandbox serves no workspace named \(name); it serves \(core.tenants.keys.sorted().joined(separator: ", ")) besides the first (no ?workspace=)."
                    ))
            }
            tenant = named
        } else {
            tenant = core.main
        }
        switch (path, request.method) {
        case ("/_sandbox/state", .get):
            return SandboxResponder.response(
                status: .ok, encoding: tenant.endpoints.organisation.withLock { $0.snapshot })
        case ("/_sandbox/stats", .get):
            return SandboxResponder.response(status: .ok, encoding: tenant.stats.withLock { $0.snapshot })
        case ("/_sandbox/chaos", .get):
            return SandboxResponder.response(status: .ok, encoding: tenant.chaos.withLock { $0.settings })
        case ("/_sandbox/chaos", .post):
            guard let bytes = body?.serialized(),
                let patch = try? JSONDecoder().decode(SandboxChaos.Patch.self, from: Data(bytes.utf8))
            else {
                return refusal(
                    "Expected a JSON object with any of latencyMs, failRate, ratePerSecond (0 = none), throttleReads, rejectAllTokens."
                )
            }
            let settings = tenant.chaos.withLock { engine in
                engine.update(patch.applied(to: engine.settings))
                return engine.settings
            }
            return SandboxResponder.response(status: .ok, encoding: settings)
        case ("/_sandbox/throttle", .get):
            return SandboxResponder.response(status: .ok, encoding: tenant.throttle.withLock { $0.settings })
        case ("/_sandbox/throttle", .post): return setThrottle(body, of: tenant)
        case ("/_sandbox/flow", .get):
            return SandboxResponder.response(status: .ok, encoding: tenant.endpoints.organisation.withLock { $0.flow })
        case ("/_sandbox/flow", .post):
            guard case .object = body, let value = body?["groupOnCreate"],
                value.isNull || value.string?.isEmpty == false
            else {
                return refusal("Expected {\"groupOnCreate\": <group name or null>}.")
            }
            let flow = SandboxFlow(groupOnCreate: value.string)
            tenant.endpoints.organisation.withLock { $0.flow = flow }
            return SandboxResponder.response(status: .ok, encoding: flow)
        case ("/_sandbox/contacts/status", .post):
            guard let contact = body?["contact"]?.string, let name = body?["status"]?.string,
                let status = ContactStatus(rawValue: name)
            else {
                return refusal(
                    "Expected {\"contact\": <uuid or urn>, \"status\": \"active\"|\"blocked\"|\"stopped\"|\"archived\"}."
                )
            }
            do {
                return SandboxResponder.response(
                    status: .ok, encoding: try core.setContactStatus(contact, to: status, in: tenant))
            } catch {
                return SandboxResponder.response(APIError.detail(.notFound, error.description))
            }
        default: return SandboxResponder.response(APIError.notFound)
        }
    }

    /// Members given change: a rate string sets the scope's budget, `null` removes it.
    private func setThrottle(_ body: JSON?, of tenant: SandboxTenant) -> Response {
        guard case .object(let members)? = body, !members.isEmpty,
            members.allSatisfy({ ["contacts", "v2"].contains($0.0) && ($0.1.isNull || $0.1.string != nil) })
        else {
            return refusal(
                "Expected {\"contacts\": \"N/s|m|h|d\" or null, \"v2\": … } (absent members stay as they are).")
        }
        var new = tenant.throttle.withLock { $0.settings }
        if let value = body?["contacts"] { new.contacts = value.string }
        if let value = body?["v2"] { new.v2 = value.string }
        if let problem = new.problem { return refusal(problem) }
        tenant.throttle.withLock { $0.update(new) }
        return SandboxResponder.response(status: .ok, encoding: new)
    }

    private func refusal(_ message: String) -> Response {
        SandboxResponder.response(APIError.detail(.badRequest, message))
    }

    private static func body(of request: Request) async -> JSON? {
        guard let bytes = try? await request.body.collect(upTo: 1 << 16) else { return nil }
        return RequestBody.parse(Array(bytes.readableBytesView))
    }
}
