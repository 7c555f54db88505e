import Foundation
import Synchronization
import Testing

@testable import DropPipeline

@Suite struct OrderedParallelMapTests {
    @Test func outputsKeepInputOrder() {
        let map = OrderedParallelMap<Int, Int>(window: 8) { value in
            usleep(UInt32.random(in: 0...2000))
            return value * 2
        }
        var outputs: [Int] = []
        map.run(produce: { emit in for value in 0..<300 { emit(value) } }) { outputs.append($0) }
        #expect(outputs == (0..<300).map { $0 * 2 })
    }

    @Test func neverMoreThanTheWindowInFlight() {
        let inFlight = Atomic<Int>(0)
        let highest = Atomic<Int>(0)
        let map = OrderedParallelMap<Int, Int>(window: 5) { value in
            let now = inFlight.add(1, ordering: .relaxed).newValue
            highest.max(now, ordering: .relaxed)
            usleep(500)
            inFlight.subtract(1, ordering: .relaxed)
            return value
        }
        var count = 0
        map.run(produce: { emit in for value in 0..<200 { emit(value) } }) { _ in
            count += 1
            usleep(100)
        }
        #expect(count == 200)
        #expect(highest.load(ordering: .relaxed) <= 5)
    }

    @Test func emptyStreamEnds() {
        let map = OrderedParallelMap<Int, Int> { $0 }
        var outputs: [Int] = []
        map.run(produce: { _ in }) { outputs.append($0) }
        #expect(outputs.isEmpty)
    }
}
