import AsyncHTTPClient
import Foundation
import JSON
import Logging
import NIOCore
import NIOHTTP1

@testable import PlatformSandbox

/// A sandbox on an ephemeral port and a raw HTTP caller, for tests that speak the API itself.
struct SandboxHarness {
    static let token = "sandbox-test-token"

    let sandbox: Sandbox

    /// Runs `body` against a fresh sandbox, shutting it down afterwards whatever happens.
    static func with<T>(
        pageSize: Int = 250,
        chaos: SandboxChaos = .none,
        seed: UInt64 = 1,
        flavor: SandboxFlavor = .textit,
        throttle: SandboxThrottle = .unlimited,
        flow: SandboxFlow = .none,
        workspaces: [SandboxWorkspace] = [],
        _ body: (SandboxHarness) async throws -> T
    ) async throws -> T {
        var options = SandboxOptions(
            token: token, seed: seed, pageSize: pageSize, flavor: flavor, throttle: throttle, flow: flow)
        options.chaos = chaos
        options.workspaces = workspaces
        var logger = Logger(label: "sandbox-test")
        logger.logLevel = .warning
        let sandbox = try await Sandbox.start(options, logger: logger)
        do {
            let result = try await body(SandboxHarness(sandbox: sandbox))
            await sandbox.shutdown()
            return result
        } catch {
            await sandbox.shutdown()
            throw error
        }
    }

    enum Method: String {
        case GET, POST, DELETE, PUT
    }

    struct Reply {
        let status: Int
        let body: JSON?
        /// Response headers by lower-cased name (the last value of each).
        let headers: [String: String]

        /// Member `key` of the body (for `{"detail": …}` and validation bodies).
        subscript(key: String) -> JSON? { body?[key] }
    }

    /// Calls `path` (e.g. `/api/v2/contacts.json?urn=ext:1`) with the test token unless told otherwise.
    func call(
        _ method: Method, _ path: String, json: JSON? = nil, rawBody: String? = nil,
        authorization: String? = "Token \(SandboxHarness.token)"
    ) async throws -> Reply {
        try await call(method, url: sandbox.baseURL + path, json: json, rawBody: rawBody, authorization: authorization)
    }

    /// Calls an absolute URL (e.g. a `next` link).
    func call(
        _ method: Method, url: String, json: JSON? = nil, rawBody: String? = nil,
        authorization: String? = "Token \(SandboxHarness.token)"
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method.rawValue)
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        if let text = rawBody ?? json?.serialized() {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(Array(text.utf8))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        let body = bytes.readableBytes == 0 ? nil : try? JSON.parse(Array(bytes.readableBytesView))
        let headers = Dictionary(response.headers.map { ($0.name.lowercased(), $0.value) }) { $1 }
        return Reply(status: Int(response.status.code), body: body, headers: headers)
    }

    /// POSTs and returns the body, failing the test's expectation when the status differs.
    func post(_ path: String, _ json: JSON, expecting status: Int) async throws -> JSON {
        let reply = try await call(.POST, path, json: json)
        guard reply.status == status, let body = reply.body else {
            throw HarnessError(
                "POST \(path) answered \(reply.status) \(reply.body?.serialized() ?? "") (expected \(status))")
        }
        return body
    }

    /// Creates a contact with `urns` (and whatever else `extra` holds); returns its UUID.
    func createContact(_ urns: [String], _ extra: [(String, JSON)] = []) async throws -> String {
        let body = try await post(
            "/api/v2/contacts.json", .object([("urns", .array(urns.map(JSON.string)))] + extra), expecting: 201)
        guard let uuid = body["uuid"]?.string else { throw HarnessError("no uuid in \(body.serialized())") }
        return uuid
    }

    /// Every result of a list, following `next` links to the end; also returns how many pages.
    func listAll(_ path: String) async throws -> (results: [JSON], pages: Int) {
        var url: String? = sandbox.baseURL + path
        var results: [JSON] = []
        var pages = 0
        while let next = url {
            let reply = try await call(.GET, url: next)
            guard reply.status == 200, case .array(let page)? = reply["results"] else {
                throw HarnessError("GET \(next) answered \(reply.status) \(reply.body?.serialized() ?? "")")
            }
            results += page
            pages += 1
            url = reply["next"]?.string
        }
        return (results, pages)
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension JSON {
    /// An array's items (empty otherwise), for terse assertions.
    var items: [JSON] {
        if case .array(let items) = self { return items }
        return []
    }

    /// The messages of a `["message", …]` list.
    var messages: [String] { items.compactMap(\.string) }
}
