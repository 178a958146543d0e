extension Array where Element: Sendable {
    /// `transform` of every element, at most `width` running at once, the results in the
    /// elements' order. The first error thrown is rethrown, and the tasks still running are
    /// cancelled.
    public func concurrentMap<Result: Sendable>(
        width: Int, _ transform: @escaping @Sendable (Element) async throws -> Result
    )
        async throws -> [Result]
    {
        precondition(width >= 1)
        return try await withThrowingTaskGroup(of: (Int, Result).self) { group in
            var results = [Result?](repeating: nil, count: count)
            var next = 0
            func start() {
                let index = next, element = self[index]
                group.addTask { (index, try await transform(element)) }
                next += 1
            }
            while next < Swift.min(width, count) { start() }
            while let (index, result) = try await group.next() {
                results[index] = result
                if next < count { start() }
            }
            return results.map { $0! }
        }
    }
}
