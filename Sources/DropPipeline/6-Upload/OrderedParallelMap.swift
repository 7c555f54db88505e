import Dispatch
import Foundation

/// Runs `transform` over a stream of inputs on all cores with Dispatch and hands the outputs to a consumer in
/// input order.
///
/// At most `window` inputs are in flight or waiting in the reorder buffer at any time, so memory does not grow
/// with the length of the stream: the producer blocks until the consumer catches up (backpressure).
public struct OrderedParallelMap<Input: Sendable, Output: Sendable>: Sendable {
    /// How many inputs may be between producer and consumer at once.
    public let window: Int
    private let transform: @Sendable (Input) -> Output

    /// Makes a map with a window of `window` (default: four per core).
    public init(
        window: Int = ProcessInfo.processInfo.activeProcessorCount * 4,
        transform: @escaping @Sendable (Input) -> Output
    ) {
        self.window = Swift.max(1, window)
        self.transform = transform
    }

    /// Feeds the inputs that `produce` emits through `transform` and calls `consume` with each output, in order,
    /// on the calling thread. `produce` runs on its own thread.
    public func run(
        produce: @escaping @Sendable (_ emit: (Input) -> Void) -> Void,
        consume: (Output) -> Void
    ) {
        let state = State(window: window)
        let workers = DispatchQueue(label: "certdrop.parallel-map", attributes: .concurrent)
        let transform = self.transform
        let producer = Thread {
            var next = 0
            produce { input in
                state.slots.wait()
                let index = next
                next += 1
                workers.async {
                    let output = transform(input)
                    state.finish(index, output)
                }
            }
            state.close(count: next)
        }
        producer.stackSize = 1 << 22
        producer.start()

        var expected = 0
        while let output = state.take(expected) {
            consume(output)
            state.slots.signal()
            expected += 1
        }
    }

    /// `@unchecked Sendable`: every mutable member is guarded by `condition`.
    private final class State: @unchecked Sendable {
        let slots: DispatchSemaphore
        private let condition = NSCondition()
        private var ready: [Int: Output] = [:]
        private var total: Int?

        init(window: Int) { slots = DispatchSemaphore(value: window) }

        func finish(_ index: Int, _ output: Output) {
            condition.lock()
            ready[index] = output
            condition.broadcast()
            condition.unlock()
        }

        func close(count: Int) {
            condition.lock()
            total = count
            condition.broadcast()
            condition.unlock()
        }

        /// The output at `index`, waiting for it; `nil` once the stream is done.
        func take(_ index: Int) -> Output? {
            condition.lock()
            defer { condition.unlock() }
            while true {
                if let output = ready.removeValue(forKey: index) { return output }
                if let total, index >= total { return nil }
                condition.wait()
            }
        }
    }
}
