import Fluent
import Vapor

/// Fluent's session store, minus the write Vapor makes after every request that touched the session:
/// its middleware saves the data back even when nothing in it changed, which made every page view a
/// database write (serialised behind SQLite's single writer). Here a session is written only when its
/// data differs from what was read for this request.
struct ChangedOnlySessions: SessionDriver {
    let stored: any SessionDriver

    private struct ReadKey: StorageKey { typealias Value = SessionData }

    func createSession(_ data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        stored.createSession(data, for: request)
    }

    func readSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<SessionData?> {
        stored.readSession(sessionID, for: request).map { data in
            if let data { request.storage[ReadKey.self] = data }
            return data
        }
    }

    func updateSession(_ sessionID: SessionID, to data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        if request.storage[ReadKey.self] == data { return request.eventLoop.makeSucceededFuture(sessionID) }
        return stored.updateSession(sessionID, to: data, for: request)
    }

    func deleteSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<Void> {
        stored.deleteSession(sessionID, for: request)
    }
}
