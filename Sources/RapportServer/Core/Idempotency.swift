import Fluent
import Foundation
import Vapor

/// `Idempotency-Key` on POST: a retried request (after a timeout, say) gets the first answer again
/// instead of creating a second record. Keys are per workspace; the fingerprint catches a key reused
/// for a different request.
struct IdempotencyMiddleware: AsyncMiddleware {
    static let header = "Idempotency-Key"

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard req.method == .POST, let key = req.headers.first(name: Self.header) else {
            return try await next.respond(to: req)
        }
        guard (1...200).contains(key.count), key.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else {
            throw AppError.invalid(Self.header, "must be 1 to 200 visible ASCII characters, e.g. a UUID")
        }
        let caller = try req.caller
        var hasher = SHA256()
        hasher.update(data: Data("\(req.method.rawValue) \(req.url.string)\n".utf8))
        if let body = req.body.data { hasher.update(data: Data(body.readableBytesView)) }
        let fingerprint = hasher.finalize().map { String(format: "%02x", $0) }.joined()

        let record = IdempotencyRecord()
        record.workspaceID = caller.workspaceID
        record.key = key
        record.fingerprint = fingerprint
        record.createdAt = Date()
        do {
            try await record.create(on: req.db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return try await replay(key: key, fingerprint: fingerprint, workspaceID: caller.workspaceID, on: req.db)
        }

        let response: Response
        do {
            response = try await next.respond(to: req)
        } catch {
            try? await record.delete(on: req.db)   // let a retry try again
            throw error
        }
        if response.status.code < 500, let body = response.body.string {
            record.statusCode = Int(response.status.code)
            record.contentType = response.headers.first(name: .contentType)
            record.body = body
            try await record.save(on: req.db)
        } else {
            try? await record.delete(on: req.db)
        }
        return response
    }

    private func replay(key: String, fingerprint: String, workspaceID: UUID, on db: any Database) async throws -> Response {
        guard let existing = try await IdempotencyRecord.query(on: db)
            .filter(\.$workspaceID == workspaceID).filter(\.$key == key).first()
        else { throw AppError.conflict("A request with this Idempotency-Key is being processed; retry in a moment.") }
        guard existing.fingerprint == fingerprint else {
            throw AppError.invalid(Self.header, "was already used for a different request; use a new key for a new request")
        }
        guard let status = existing.statusCode else {
            throw AppError.conflict("A request with this Idempotency-Key is still being processed; retry in a moment.")
        }
        var headers = HTTPHeaders()
        if let type = existing.contentType { headers.replaceOrAdd(name: .contentType, value: type) }
        headers.replaceOrAdd(name: "Idempotent-Replayed", value: "true")
        return Response(status: HTTPResponseStatus(statusCode: status), headers: headers, body: .init(string: existing.body ?? ""))
    }
}

/// Turns every error into what the caller's side of Rapport speaks: problem details on the API, an
/// HTML page on the web (rendered by `page`), and logs what was unexpected.
struct ErrorRenderingMiddleware: AsyncMiddleware {
    let page: @Sendable (Request, HTTPResponseStatus, String, String) -> Response

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: req)
        } catch {
            let (status, problem, headers) = AppError.from(error)
            if status == .internalServerError {
                req.logger.report(error: error)
            }
            if req.url.path.hasPrefix("/api/") || req.headers.accept.contains(where: { $0.mediaType == .json }) {
                let response = Response(status: status, headers: headers)
                try response.content.encode(problem, using: JSONEncoder.rapport)
                response.headers.replaceOrAdd(name: .contentType, value: "application/problem+json")
                return response
            }
            if status == .unauthorized {
                return req.redirect(to: "/login?next=" + (req.url.path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? "/"))
            }
            let response = page(req, status, problem.title, problem.detail)
            for (name, value) in headers { response.headers.replaceOrAdd(name: name, value: value) }
            return response
        }
    }
}

extension JSONEncoder {
    /// Snake-case keys and ISO dates: the API's wire format.
    static var rapport: JSONEncoder {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys]
        return e
    }
}

extension JSONDecoder {
    static var rapport: JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        d.dateDecodingStrategy = .iso8601
        return d
    }
}
