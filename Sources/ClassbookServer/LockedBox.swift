import NIOConcurrencyHelpers

/// A value behind a lock, shared between tasks.
final class NIOLockedValueBoxShim<Value>: @unchecked Sendable {
    private let lock = NIOLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func with<T>(_ body: (inout Value) -> T) -> T {
        lock.withLock { body(&value) }
    }
}
