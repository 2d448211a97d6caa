import FluentSQLiteDriver
import SQLKit
import Foundation
import NIOConcurrencyHelpers
import NIOPosix
import Vapor

/// Copies SQLite's write-ahead log back into the database file on a connection and thread of its
/// own, a few times a second, while requests go on.
///
/// SQLite's default is that the connection that commits does it, once the log holds 1,000 pages,
/// before the request that wrote can answer: for an event batch of 5,000 that was a fifth of the
/// batch, and the same for response batches and imports. The pool's connections now leave it to this
/// loop, and checkpoint themselves only when the log passes `ownCheckpointPages` (the loop stopped or
/// fell far behind). Only a booted server runs the loop; the CLI's one-shot commands keep SQLite's
/// default. A PASSIVE checkpoint never blocks readers or the writer; pages a reader still
/// needs are copied by a later round. A round with nothing to copy costs a look at the log's header.
final class Checkpointer: LifecycleHandler, Sendable {
    static let ownCheckpointPages = 16_384   // 64 MB of 4 KB pages
    let path: String
    let interval: Duration
    private let running = NIOLockedValueBox<Task<Void, Never>?>(nil)

    init(path: String, interval: Duration = .milliseconds(200)) {
        self.path = path; self.interval = interval
    }

    func didBootAsync(_ app: Application) async throws {
        for conn in app.sqliteConnections() {
            try await conn.raw("PRAGMA wal_autocheckpoint = \(unsafeRaw: String(Self.ownCheckpointPages))").run()
        }
        let threads = NIOThreadPool(numberOfThreads: 1)
        threads.start()
        let connection = try await SQLiteConnection.open(storage: .file(path: path), threadPool: threads, logger: app.logger, on: app.eventLoopGroup.any())
        let (interval, logger) = (interval, app.logger)
        let task = Task {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: interval)
                    _ = try await connection.query("PRAGMA wal_checkpoint(PASSIVE)", [])
                } catch is CancellationError {
                    break
                } catch {
                    logger.warning("SQLite checkpoint: \(String(reflecting: error))")
                }
            }
            // Not in this (cancelled) task: the thread pool refuses work from a cancelled one.
            await Task.detached {
                try? await connection.close()
                try? await threads.shutdownGracefully()
            }.value
        }
        running.withLockedValue { $0 = task }
    }

    func shutdownAsync(_ app: Application) async {
        let task = running.withLockedValue { $0 }
        task?.cancel()
        _ = await task?.value
    }
}
