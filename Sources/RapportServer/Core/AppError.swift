import Fluent
import Foundation
import RapportKit
import Vapor

/// Every error a caller can see. The API renders them as RFC 9457 problem details, the web UI as a
/// page, the CLI as one line: so each case carries what a person needs to fix the input.
enum AppError: Error, Equatable {
    case validation([FieldError])
    case notFound(entity: String)
    case unauthenticated(String)
    case forbidden(Permission)
    case conflict(String)
    case preconditionFailed(String)
    case preconditionRequired
    case badRequest(String)
    case tooManyRequests(retryAfter: Int)
    case payloadTooLarge(String)

    var status: HTTPResponseStatus {
        switch self {
        case .validation: .unprocessableEntity
        case .notFound: .notFound
        case .unauthenticated: .unauthorized
        case .forbidden: .forbidden
        case .conflict: .conflict
        case .preconditionFailed: .preconditionFailed
        case .preconditionRequired: .preconditionRequired
        case .badRequest: .badRequest
        case .tooManyRequests: .tooManyRequests
        case .payloadTooLarge: .payloadTooLarge
        }
    }

    var title: String {
        switch self {
        case .validation: "The input is not valid"
        case .notFound(let entity): "No such \(entity)"
        case .unauthenticated: "Authentication required"
        case .forbidden: "Not allowed"
        case .conflict: "Conflict"
        case .preconditionFailed: "The record has changed"
        case .preconditionRequired: "If-Match required"
        case .badRequest: "Bad request"
        case .tooManyRequests: "Too many attempts"
        case .payloadTooLarge: "Too large"
        }
    }

    var detail: String {
        switch self {
        case .validation(let errors): errors.map(\.description).joined(separator: "; ")
        case .notFound(let entity): "There is no \(entity) with this id in your workspace."
        case .unauthenticated(let why): why
        case .forbidden(let p): "Your role does not include the permission '\(p.rawValue)' (\(p.summary.lowercased()))."
        case .conflict(let why), .preconditionFailed(let why), .badRequest(let why), .payloadTooLarge(let why): why
        case .preconditionRequired: "Send the record's ETag in If-Match to change it."
        case .tooManyRequests(let s): "Too many failed attempts. Try again in \(s) seconds."
        }
    }

    var fieldErrors: [FieldError] { if case .validation(let e) = self { e } else { [] } }

    static func invalid(_ field: String, _ message: String) -> AppError { .validation([FieldError(field, message)]) }
}

extension ValidationFailure {
    var appError: AppError { .validation(errors) }
}

extension AppError {
    /// The error a form shows again with its fields: an AppError or a validator's failure; nil for
    /// anything else, which the error page handles.
    init?(shown error: any Error) {
        if let e = error as? AppError { self = e } else if let f = error as? ValidationFailure { self = f.appError } else { return nil }
    }
}

/// RFC 9457 problem details.
struct ProblemDetails: Content {
    var type: String = "about:blank"
    var title: String
    var status: Int
    var detail: String
    var errors: [FieldError]?
}

extension AppError {
    /// Maps whatever a handler threw to the error a caller should see. Unknown errors become a 500 whose
    /// detail does not leak internals; the log keeps the real error.
    static func from(_ error: any Error) -> (status: HTTPResponseStatus, problem: ProblemDetails, headers: HTTPHeaders) {
        var headers = HTTPHeaders()
        if let app = error as? AppError {
            if case .tooManyRequests(let s) = app { headers.replaceOrAdd(name: .retryAfter, value: String(s)) }
            let errors = app.fieldErrors
            return (app.status, ProblemDetails(title: app.title, status: Int(app.status.code), detail: app.detail, errors: errors.isEmpty ? nil : errors), headers)
        }
        if let failure = error as? ValidationFailure { return from(failure.appError) }
        if let decoding = error as? DecodingError { return from(AppError.badRequest(describe(decoding))) }
        if let db = error as? any DatabaseError, db.isConstraintFailure {
            return from(AppError.conflict("The change conflicts with existing data (a duplicate external id or a record still in use)."))
        }
        if let abort = error as? any AbortError {
            headers = abort.headers
            return (abort.status, ProblemDetails(title: abort.status.reasonPhrase, status: Int(abort.status.code), detail: abort.reason), headers)
        }
        return (.internalServerError, ProblemDetails(title: "Internal error", status: 500, detail: "Something went wrong on our side; it has been logged."), headers)
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ c: DecodingError.Context) -> String {
            let p = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "the body" : "'\(p)'"
        }
        switch error {
        case .typeMismatch(let type, let c): return "\(path(c)) has the wrong type; expected \(type)."
        case .valueNotFound(_, let c): return "\(path(c)) must not be null."
        case .keyNotFound(let key, _): return "'\(key.stringValue)' is required."
        case .dataCorrupted(let c): return "\(path(c)) is not valid JSON: \(c.debugDescription)"
        @unknown default: return "The body could not be read."
        }
    }
}
