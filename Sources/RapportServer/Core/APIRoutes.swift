import Foundation
import RapportKit
import Vapor

/// What the OpenAPI document says a route returns.
enum APIShape: Sendable {
    case object(String)        // a component schema name
    case list(String)          // {"items": [schema], "next_cursor": …}
    case none                  // 204
    case binary                // a file's bytes
}

/// One API route as documented: registration and documentation come from the same value, so the
/// OpenAPI document cannot miss a route (a test compares it with the router).
struct APIRoute: Sendable {
    let method: HTTPMethod
    /// OpenAPI-style path below /api/v1, e.g. "/accounts/{id}".
    let path: String
    let summary: String
    let tag: String
    let permission: Permission
    var requestSchema: String? = nil
    var response: APIShape
    var successStatus: Int = 200
    var queryParameters: [QueryParameter] = []
    var conditional = false   // answers with an ETag / accepts If-Match
    /// The body is a file's raw bytes (up to `maxBody`), not JSON.
    var binaryRequest = false
    var maxBody: ByteCount = "2mb"
}

struct QueryParameter: Sendable {
    let name: String
    let type: String          // "string", "integer"
    let summary: String
    var enumValues: [String]? = nil
    var format: String? = nil
    var minimum: Int? = nil
    var maximum: Int? = nil
}

final class APIRegistry: @unchecked Sendable {
    private(set) var routes: [APIRoute] = []
    private let lock = NSLock()
    func add(_ route: APIRoute) { lock.withLock { routes.append(route) } }
}

extension Application {
    private struct RegistryKey: StorageKey { typealias Value = APIRegistry }
    var apiRegistry: APIRegistry {
        if let r = storage[RegistryKey.self] { return r }
        let r = APIRegistry(); storage[RegistryKey.self] = r; return r
    }
}

/// Registers API routes below /api/v1: each one checks its permission before the handler runs.
struct APIBuilder {
    let routes: any RoutesBuilder
    let registry: APIRegistry

    func on<R: AsyncResponseEncodable>(_ route: APIRoute, _ handler: @escaping @Sendable (Request) async throws -> R) {
        registry.add(route)
        let components: [PathComponent] = route.path.split(separator: "/").map { part in
            part.hasPrefix("{") ? .parameter(String(part.dropFirst().dropLast())) : .constant(String(part))
        }
        let permission = route.permission
        routes.on(route.method, components, body: route.method == .GET ? .collect : .collect(maxSize: route.maxBody)) { req async throws -> Response in
            try req.caller.require(permission)
            return try await handler(req).encodeResponse(for: req)
        }
    }
}
