import Hummingbird
import JSON

/// A refusal the sandbox answers with, shaped like the platform's (Django REST framework) bodies.
struct APIError: Error {
    let status: HTTPResponse.Status
    let body: JSON
    /// Extra response headers by name, e.g. `Retry-After`.
    var headers: [(name: String, value: String)] = []
    /// A plain-text (HTML) answer instead of the JSON body, as Django's error handler gives.
    var text: String?

    /// An unhandled server-side exception: `temba_exception_handler`'s plain answer.
    static let serverError = APIError(
        status: .internalServerError, body: .null, text: "Server Error. Site administrators have been notified.")

    /// `400` mapping each bad member to its messages, e.g. `{"name": ["Must be unique."]}`.
    static func invalid(_ member: String, _ message: String) -> APIError {
        APIError(status: .badRequest, body: [member: [.string(message)]])
    }

    /// `400` with the given member → messages body (several members failing at once).
    static func invalid(_ members: [(String, JSON)]) -> APIError {
        APIError(status: .badRequest, body: .object(members))
    }

    /// An answer with `{"detail": message}`, the platform's shape for errors not tied to a member.
    static func detail(_ status: HTTPResponse.Status, _ message: String) -> APIError {
        APIError(status: status, body: ["detail": .string(message)])
    }

    static let notFound = detail(.notFound, "Not found.")
}

/// Collects member errors so one answer reports every bad member, as the platform does.
struct ValidationErrors {
    private(set) var members: [(String, JSON)] = []

    mutating func add(_ member: String, _ message: String) {
        members.append((member, [.string(message)]))
    }

    mutating func add(_ member: String, _ body: JSON) {
        members.append((member, body))
    }

    func throwIfAny() throws(APIError) {
        if !members.isEmpty { throw APIError.invalid(members) }
    }
}
