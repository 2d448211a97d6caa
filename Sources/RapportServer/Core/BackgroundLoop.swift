import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Work a node repeats until the application shuts down: a round that did something goes again at
/// once; an idle or failed round waits `interval`. The survey worker, the health schedule and the
/// SQLite statistics run in loops of their own, so a long health recompute never holds up e-mail delivery.
struct BackgroundLoop: LifecycleHandler {
    let name: String
    let interval: TimeInterval
    let round: @Sendable (Application) async throws -> Int
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    init(_ name: String, every interval: TimeInterval, _ round: @escaping @Sendable (Application) async throws -> Int) {
        self.name = name; self.interval = interval; self.round = round
    }

    func didBootAsync(_ app: Application) async throws {
        let (name, interval, round) = (name, interval, round)
        let running = Task {
            while !Task.isCancelled {
                do {
                    if try await round(app) == 0 { try await Task.sleep(for: .seconds(interval)) }
                } catch is CancellationError {
                    return
                } catch {
                    app.logger.error("\(name): \(String(reflecting: error))")
                    try? await Task.sleep(for: .seconds(interval))
                }
            }
        }
        task.withLockedValue { $0 = running }
    }

    func shutdownAsync(_ app: Application) async {
        let running = task.withLockedValue { $0 }
        running?.cancel()
        _ = await running?.value
    }
}
