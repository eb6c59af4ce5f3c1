import Foundation
import Hummingbird
import JSON
import Synchronization

/// Answers every HTTP request: the `/_sandbox/` read-outs, then for the API, in order, the
/// latency, the 5xx draw, authentication, the throttle and the endpoint; counts each answer.
struct SandboxResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let core: SandboxCore

    /// Bodies past this answer `413` (the platform's proxies refuse them before Django).
    static let maxBodyBytes = 8 << 20

    func respond(to request: Request, context: Context) async throws -> Response {
        let path = request.uri.path
        if path.hasPrefix("/_sandbox/") { return await SandboxAdmin(core: core).answer(request, path: path) }

        let endpoint = Self.endpointName(path)
        // Every part of the answer is the workspace's the token opens: its faults (a proxy in
        // front of one workspace's host), its throttle, its data and its tally.
        let tenant = core.tenant(authorization: request.headers[.authorization])
        let answer: Response
        do {
            answer = try await answerAPI(request, endpoint: endpoint, tenant: tenant)
        } catch let error as APIError {
            answer = Self.response(error)
        }
        tenant.stats.withLock {
            $0.record(
                endpoint: endpoint ?? "other", method: request.method.rawValue, status: answer.status.code,
                scope: endpoint.map(ThrottleScope.of(endpoint:)))
        }
        return answer
    }

    private func answerAPI(_ request: Request, endpoint: String?, tenant: SandboxTenant) async throws -> Response {
        let chaos = tenant.chaos.withLock { $0.settings }
        // No tolerance: by default a timer may fire up to 10 % late, and the latency is a promise.
        if chaos.latencyMs > 0 { try await Task.sleep(for: .milliseconds(chaos.latencyMs), tolerance: .zero) }
        // Every request may fail, reads and unknown paths included, as behind a failing proxy.
        if case .serverError(let status) = tenant.chaos.withLock({ $0.drawFailure() }) {
            return Self.injectedFault(status: status)
        }
        guard let endpoint else { throw APIError.notFound }
        try authenticate(request.headers[.authorization], token: tenant.token, rejectAll: chaos.rejectAllTokens)
        if case .throttled(let seconds) = tenant.chaos.withLock({ $0.takeToken(isWrite: request.method != .get) }) {
            throw Self.throttled(wait: seconds)
        }
        // DRF checks throttles after authentication and before the view reads the body.
        if let wait = tenant.throttle.withLock({ $0.admit(ThrottleScope.of(endpoint: endpoint)) }) {
            throw Self.throttled(wait: wait)
        }
        let bytes: ByteBuffer
        do {
            bytes = try await request.body.collect(upTo: Self.maxBodyBytes)
        } catch {
            throw APIError.detail(.contentTooLarge, "Request body exceeds \(Self.maxBodyBytes >> 20) MiB.")
        }
        let body: JSON
        if bytes.readableBytes == 0 {
            body = [:]
        } else if let parsed = RequestBody.parse(Array(bytes.readableBytesView)) {
            body = parsed
        } else {
            throw APIError.detail(.badRequest, "JSON parse error - the request body is not valid JSON.")
        }
        let query = QueryParameters(request.uri.query)
        let origin = "http://" + (request.head.authority ?? core.hostAndPort())
        let apiRequest = APIRequest(
            method: request.method, endpoint: endpoint, query: query, body: body,
            pagination: Pagination(origin: origin, path: request.uri.path, query: query, pageSize: core.pageSize)
        )
        let answer = try tenant.endpoints.answer(apiRequest)
        return Self.response(status: answer.status, body: answer.body)
    }

    /// DRF's `Throttled`: `429`, `Retry-After` in whole seconds, the same number in the text.
    static func throttled(wait: Int) -> APIError {
        var error = APIError.detail(.tooManyRequests, ThrottleWindows.message(wait: wait))
        error.headers = [("Retry-After", String(wait))]
        return error
    }

    /// Django REST framework's token check: no `Token` header → "not provided", a wrong one → "Invalid".
    private func authenticate(_ header: String?, token: String, rejectAll: Bool) throws(APIError) {
        let parts = (header ?? "").split(separator: " ", omittingEmptySubsequences: true)
        guard parts.first?.lowercased() == "token" else {
            throw Self.unauthorized("Authentication credentials were not provided.")
        }
        guard parts.count == 2 else { throw Self.unauthorized("Invalid token header. No credentials provided.") }
        if rejectAll || String(parts[1]) != token { throw Self.unauthorized("Invalid token.") }
    }

    private static func unauthorized(_ message: String) -> APIError {
        var error = APIError.detail(.unauthorized, message)
        error.headers = [("WWW-Authenticate", "Token")]
        return error
    }

    /// `contacts.json` for `/api/v2/contacts.json` or `/api/v2/contacts`; `nil` for unknown paths.
    static func endpointName(_ path: String) -> String? {
        guard path.hasPrefix("/api/v2/") else { return nil }
        var name = String(path.dropFirst("/api/v2/".count))
        if name.hasSuffix("/") { name.removeLast() }
        if !name.hasSuffix(".json") { name += ".json" }
        return Endpoints.names.contains(name) ? name : nil
    }

    // MARK: Responses

    /// An injected 5xx as real deployments answer one: the proxy's or Django's HTML page
    /// (500, 502, 504), or JSON for 503; clients must cope with both.
    static func injectedFault(status: Int) -> Response {
        let responseStatus = HTTPResponse.Status(code: status)
        if status == 503 {
            return response(
                status: responseStatus, body: ["detail": "Service temporarily unavailable, try again later."])
        }
        let title = "\(status) \(status == 502 ? "Bad Gateway" : "Gateway Time-out")"
        let page =
            status == 500
            ? "<h1>Server Error (500)</h1>"
            : "<html><head><title>\(title)</title></head><body><center><h1>\(title)</h1></center><hr><center>nginx</center></body></html>"
        return Response(
            status: responseStatus, headers: [.contentType: "text/html"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: page + "\n")))
    }

    static func response(_ error: APIError) -> Response {
        var response =
            error.text.map {
                Response(
                    status: error.status, headers: [.contentType: "text/html; charset=utf-8"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: $0)))
            } ?? response(status: error.status, body: error.body)
        for header in error.headers {
            if let name = HTTPFields.Element.Name(header.name) { response.headers[name] = header.value }
        }
        return response
    }

    static func response(status: HTTPResponse.Status, body: JSON?) -> Response {
        guard let body else { return Response(status: status) }
        return Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body.serialized()))
        )
    }

    static func response(status: HTTPResponse.Status, encoding value: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
