public import AsyncHTTPClient
import Foundation
public import Logging
import NIOCore
import NIOHTTP1

/// A client for the flow platform's API v2 (`contacts.json`, `fields.json`, `groups.json`).
///
/// Pooled connections, a timeout on every request, and failures as `PlatformError` so callers
/// can tell "retry later" from "this data is refused". The token is only ever put in the
/// `Authorization` header.
public final class PlatformClient: Sendable {
    public struct Options: Sendable {
        /// e.g. `https://flows.weni.ai` or `http://127.0.0.1:8000`; `/api/v2/` is added.
        public var baseURL: String
        public var token: APIToken
        public var requestTimeout: Duration
        public var connectTimeout: Duration
        /// Concurrent connections to the platform (one request in flight each).
        public var maxConnections: Int
        public var fieldSpelling: FieldSpelling

        public init(
            baseURL: String, token: APIToken, requestTimeout: Duration = .seconds(10),
            connectTimeout: Duration = .seconds(5), maxConnections: Int = 64,
            fieldSpelling: FieldSpelling = .nameType
        ) {
            self.baseURL = baseURL
            self.token = token
            self.requestTimeout = requestTimeout
            self.connectTimeout = connectTimeout
            self.maxConnections = maxConnections
            self.fieldSpelling = fieldSpelling
        }
    }

    public let options: Options
    let apiRoot: String
    let http: HTTPClient
    let ownsHTTP: Bool
    let logger: Logger
    let observer: PlatformObserver?

    public init(options: Options, logger: Logger, observer: PlatformObserver? = nil, httpClient: HTTPClient? = nil) {
        self.options = options
        var root = options.baseURL
        while root.hasSuffix("/") { root.removeLast() }
        if !root.hasSuffix("/api/v2") { root += "/api/v2" }
        apiRoot = root
        self.logger = logger
        self.observer = observer
        if let httpClient {
            http = httpClient
            ownsHTTP = false
        } else {
            var configuration = HTTPClient.Configuration()
            configuration.timeout = .init(connect: .init(options.connectTimeout), read: .init(options.requestTimeout))
            configuration.connectionPool = .init(
                idleTimeout: .seconds(60),
                concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, options.maxConnections)
            )
            http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            ownsHTTP = true
        }
    }

    /// Closes pooled connections (only those of a client this instance created).
    public func shutdown() async throws {
        if ownsHTTP { try await http.shutdown() }
    }

    // MARK: - Requests

    struct Answer {
        let status: Int
        let body: [UInt8]
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            do { return try JSONDecoder().decode(T.self, from: Data(body)) } catch {
                throw PlatformError.unexpected(
                    status: status, body: "unreadable answer: \(String(decoding: body, as: UTF8.self))")
            }
        }
    }

    /// Sends one request; answers with 2xx (and 404 when `allowNotFound`), throws `PlatformError` otherwise.
    func send(
        _ method: HTTPMethod, _ endpoint: String, query: [(String, String)] = [],
        body: (any Encodable)? = nil, allowNotFound: Bool = false
    ) async throws -> Answer {
        try await send(method, url: url(endpoint, query), endpoint: endpoint, body: body, allowNotFound: allowNotFound)
    }

    func send(
        _ method: HTTPMethod, url: String, endpoint: String, body: (any Encodable)? = nil,
        allowNotFound: Bool = false
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Authorization", value: "Token \(options.token.value)")
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(try JSONEncoder().encode(body))
        }
        let started = ContinuousClock.now
        let answer: Answer
        do {
            let response = try await http.execute(request, timeout: .init(options.requestTimeout))
            let bytes = try await response.body.collect(upTo: 8 << 20)
            answer = Answer(status: Int(response.status.code), body: Array(bytes.readableBytesView))
            if let error = Self.error(for: answer, headers: response.headers, allowNotFound: allowNotFound) {
                report(endpoint, method, answer.status, error.kind, started)
                throw error
            }
        } catch let error as PlatformError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            let failure = Self.classify(error)
            report(endpoint, method, nil, failure.kind, started)
            throw failure
        }
        report(endpoint, method, answer.status, "ok", started)
        return answer
    }

    private func report(
        _ endpoint: String, _ method: HTTPMethod, _ status: Int?, _ outcome: String, _ started: ContinuousClock.Instant
    ) {
        if outcome != "ok" {
            logger.debug(
                "platform call failed",
                metadata: [
                    "endpoint": "\(endpoint)", "method": "\(method.rawValue)",
                    "status": "\(status.map(String.init) ?? "none")",
                    "outcome": "\(outcome)", "base_url": "\(apiRoot)", "token": "\(options.token)",
                ])
        }
        observer?(
            PlatformCall(
                endpoint: endpoint, method: method.rawValue, status: status, outcome: outcome,
                duration: ContinuousClock.now - started))
    }

    func url(_ endpoint: String, _ query: [(String, String)]) -> String {
        guard !query.isEmpty else { return "\(apiRoot)/\(endpoint)" }
        let encoded = query.map { "\($0.0)=\(Self.percentEncode($0.1))" }.joined(separator: "&")
        return "\(apiRoot)/\(endpoint)?\(encoded)"
    }

    static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// Query values hold URNs (`tel:+55…`): `+` and `:` must be escaped or `+` reads as a space.
    static func percentEncode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }

    static func error(for answer: Answer, headers: HTTPHeaders, allowNotFound: Bool) -> PlatformError? {
        let text = String(decoding: answer.body, as: UTF8.self)
        switch answer.status {
        case 200..<300: return nil
        case 404 where allowNotFound: return nil
        case 400: return .validation(status: 400, body: text)
        case 401, 403: return .unauthorized(status: answer.status, detail: text)
        case 404: return .notFound(body: text)
        case 408: return .timeout  // a proxy gave up waiting: as transient as our own timeout
        case 429: return .throttled(retryAfter: retryAfter(headers.first(name: "Retry-After"), body: text), body: text)
        case 500..<600: return .server(status: answer.status, body: text)
        default: return .unexpected(status: answer.status, body: text)
        }
    }

    /// `Retry-After` in seconds (the platform's form), else the seconds in DRF's throttle message.
    static func retryAfter(_ header: String?, body: String) -> Duration? {
        if let header, let seconds = Double(header.trimmingCharacters(in: .whitespaces)), seconds >= 0 {
            return .milliseconds(Int64(seconds * 1000))
        }
        if let range = body.range(of: #"available in (\d+(\.\d+)?) second"#, options: .regularExpression) {
            let digits = body[range].filter { $0.isNumber || $0 == "." }
            if let seconds = Double(digits) { return .milliseconds(Int64(seconds * 1000)) }
        }
        return nil
    }

    static func classify(_ error: any Error) -> PlatformError {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout: return .timeout
            case .connectTimeout: return .unreachable("connect timeout")
            default: return .unreachable(String(describing: error))
            }
        }
        return .unreachable(String(describing: error))
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
