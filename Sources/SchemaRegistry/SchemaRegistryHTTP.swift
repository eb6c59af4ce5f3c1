public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// `GET`s on a schema registry over HTTP, with the configured credentials, a timeout on every
/// request and pooled connections. Secrets go into the `Authorization` header only.
public final class SchemaRegistryHTTP: Sendable {
    public struct Options: Sendable, CustomStringConvertible {
        /// e.g. `https://psrc-123.eu-west-1.aws.confluent.cloud` or `http://registry:8081`.
        public let url: String
        public let credentials: RegistryCredentials
        public var requestTimeout: Duration
        public var connectTimeout: Duration

        /// A `user:password@` in `url` is moved into basic credentials (when none are given),
        /// so the URL can be shown in logs as it is.
        public init(
            url: String, credentials: RegistryCredentials = .none, requestTimeout: Duration = .seconds(10),
            connectTimeout: Duration = .seconds(5)
        ) {
            var base = url.trimmingASCIIWhitespace()
            while base.hasSuffix("/") { base.removeLast() }
            var credentials = credentials
            if let scheme = base.range(of: "://"), let at = base[scheme.upperBound...].firstIndex(of: "@"),
                !base[scheme.upperBound..<at].contains("/")
            {
                let userInfo = base[scheme.upperBound..<at]
                if credentials == .none, let colon = userInfo.firstIndex(of: ":") {
                    // Userinfo is percent-encoded (`p%40ss` for `p@ss`).
                    let user = String(userInfo[..<colon])
                    let password = String(userInfo[userInfo.index(after: colon)...])
                    credentials = .basic(
                        username: user.removingPercentEncoding ?? user,
                        password: RegistrySecret(password.removingPercentEncoding ?? password))
                }
                base = String(base[..<scheme.upperBound] + base[base.index(after: at)...])
            }
            self.url = base
            self.credentials = credentials
            self.requestTimeout = requestTimeout
            self.connectTimeout = connectTimeout
        }

        public var description: String { "\(url) (credentials: \(credentials))" }
    }

    /// Answers past this are refused: a schema is kilobytes, a big one a few hundred.
    public static let maxAnswerBytes = 8 << 20

    public let options: Options
    let http: HTTPClient
    private let ownsHTTP: Bool

    public init(options: Options, httpClient: HTTPClient? = nil) {
        self.options = options
        if let httpClient {
            http = httpClient
            ownsHTTP = false
        } else {
            var configuration = HTTPClient.Configuration()
            configuration.timeout = .init(connect: .init(options.connectTimeout), read: .init(options.requestTimeout))
            http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            ownsHTTP = true
        }
    }

    /// `GET` `path` (e.g. `/schemas/ids/42`) below the registry URL.
    /// - Throws: `SchemaRegistryHTTPError` when no answer came (connection, timeout, size).
    public func get(_ path: String) async throws -> RegistryResponse {
        var request = HTTPClientRequest(url: options.url + path)
        request.method = .GET
        request.headers.add(name: "Accept", value: "application/vnd.schemaregistry.v1+json, application/json")
        if let authorization = options.credentials.authorization {
            request.headers.add(name: "Authorization", value: authorization)
        }
        do {
            let response = try await http.execute(request, timeout: .init(options.requestTimeout))
            let body = try await response.body.collect(upTo: Self.maxAnswerBytes)
            return RegistryResponse(status: Int(response.status.code), body: Array(body.readableBytesView))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // The error's own text names the failure (timeout, refused); the URL has no userinfo left.
            throw SchemaRegistryHTTPError(url: options.url + path, underlying: "\(error)")
        }
    }

    /// Closes pooled connections (only those of a client this instance created).
    public func shutdown() async throws {
        if ownsHTTP { try await http.shutdown() }
    }
}

/// No answer came from the registry.
public struct SchemaRegistryHTTPError: Error, Sendable, CustomStringConvertible {
    public let url: String
    public let underlying: String
    public var description: String { "no answer from \(url): \(underlying)" }
}

extension SchemaRegistryClient {
    /// A client over HTTP (`http.get`).
    public convenience init(http: SchemaRegistryHTTP) {
        self.init(fetch: { path in try await http.get(path) })
    }
}
