import ClassbookDomain
import Testing

@Suite("Stamped memo")
struct StampedMemoTests {
    @Test(
        """
        a value is handed out only under an equal stamp; of two stored under an equal stamp the first is kept; a \
        new stamp replaces it
        """
    )
    func stamps() {
        let memo = StampedMemo<Int, Int, [String]>(capacity: 8)
        #expect(memo.value(1, stamp: 1) == nil)
        let first = ["a", "b"]
        #expect(memo.store(first, for: 1, stamp: 1) == first)
        #expect(memo.value(1, stamp: 1) == first)
        #expect(memo.value(1, stamp: 2) == nil, "a different stamp is not served")

        // Two callers computed it at once: the second gets the first's value, the same storage.
        let second = ["a"] + ["b"]
        let kept = memo.store(second, for: 1, stamp: 1)
        #expect(kept.withUnsafeBufferPointer { $0.baseAddress } == first.withUnsafeBufferPointer { $0.baseAddress })
        #expect(
            memo.value(1, stamp: 1).map { $0.withUnsafeBufferPointer { $0.baseAddress } }
                == first.withUnsafeBufferPointer { $0.baseAddress })

        // A newer stamp replaces it.
        #expect(memo.store(["c"], for: 1, stamp: 2) == ["c"])
        #expect(memo.value(1, stamp: 2) == ["c"])
        #expect(memo.value(1, stamp: 1) == nil)
    }

    @Test("past its capacity a quarter of the entries are dropped to make room")
    func bounded() {
        let memo = StampedMemo<Int, Int, Int>(capacity: 8)
        for key in 0..<8 { memo.store(key, for: key, stamp: 0) }
        #expect(memo.count == 8)
        memo.store(8, for: 8, stamp: 0)
        #expect(memo.count == 7)
        #expect(memo.value(8, stamp: 0) == 8)
    }
}
