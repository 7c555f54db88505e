import Foundation
import Synchronization

/// The service's own threads for PKCS#12 work (opening an uploaded file costs up to the configured iteration
/// cap per key derivation, seconds of CPU at 1,000,000 iterations): a fixed number of dedicated threads, off the
/// NIO event loops and off Swift's cooperative pool, so that `/health`, `GET` and every other request keep being
/// answered while expensive uploads run.
///
/// At most ``Configuration/width`` jobs run at once; at most ``Configuration/queueLimit`` more wait, in arrival
/// order. A job beyond both is refused at once with ``CertificateServiceError/Code/serviceUnavailable`` (`503`,
/// detail `pkcs12-queue-full`, `Retry-After: 1`) instead of waiting without bound. A caller awaits its job through
/// a continuation; the job's thread never blocks a task.
///
/// The threads start with the first job and stop when the pool is released (or ``shutdown()`` is called).
public final class PKCS12WorkPool: Sendable {
    /// How wide the pool is and how many jobs may wait.
    public struct Configuration: Hashable, Sendable {
        /// The most jobs that run at once: one dedicated thread each. Default: the active processor count.
        public var width: Int
        /// The most jobs that wait for a thread; one more is refused with `503`. Default: 4 per thread, at least
        /// 8. A waiting job holds its upload (at most 4 MiB).
        public var queueLimit: Int

        /// Makes a configuration; values below the minimum (width 1, queue 0) are raised to it.
        public init(width: Int = Configuration.defaultWidth, queueLimit: Int? = nil) {
            self.width = max(1, width)
            self.queueLimit = max(0, queueLimit ?? max(8, 4 * self.width))
        }

        /// The active processor count (at least 1).
        public static var defaultWidth: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
    }

    /// The jobs running and waiting now.
    public struct Load: Hashable, Sendable {
        /// Jobs running on a thread.
        public var running: Int
        /// Jobs waiting for a thread.
        public var waiting: Int
        /// Jobs refused because the queue was full, since the pool was made.
        public var refused: Int
    }

    /// The configuration.
    public let configuration: Configuration
    private let state: PoolState

    /// Makes a pool; no thread starts before the first job.
    public init(_ configuration: Configuration = Configuration()) {
        self.configuration = configuration
        state = PoolState(width: configuration.width, queueLimit: configuration.queueLimit)
    }

    deinit {
        state.stop()
    }

    /// The jobs running and waiting now.
    public var load: Load { state.load }

    /// Stops the threads once the jobs already accepted have run; later jobs are refused.
    public func shutdown() {
        state.stop()
    }

    /// Runs `work` on one of the pool's threads and returns its result.
    /// - Throws: ``CertificateServiceError/Code/serviceUnavailable`` (detail `pkcs12-queue-full`, `Retry-After`)
    ///   when the pool and its queue are full or the pool is stopped; otherwise what `work` throws.
    public func run<T: Sendable>(
        _ work: @escaping @Sendable () throws(CertificateServiceError) -> T
    ) async throws(CertificateServiceError) -> T {
        let result: Result<T, CertificateServiceError> = await withCheckedContinuation { continuation in
            let accepted = state.submit {
                let outcome: Result<T, CertificateServiceError>
                do throws(CertificateServiceError) {
                    outcome = .success(try work())
                } catch {
                    outcome = .failure(error)
                }
                continuation.resume(returning: outcome)
            }
            if !accepted {
                continuation.resume(returning: .failure(Self.full(configuration)))
            }
        }
        return try result.get()
    }

    /// Whether the calling thread is one of a pool's threads.
    public static var isPoolThread: Bool { pthread_getspecific(poolThreadKey) != nil }

    /// Called on the worker thread before each job runs, for tests that hold jobs on their threads.
    func setBeforeEachJob(_ hook: (@Sendable () -> Void)?) {
        state.setBeforeEachJob(hook)
    }

    static func full(_ configuration: Configuration) -> CertificateServiceError {
        CertificateServiceError(
            .serviceUnavailable,
            "the service is busy opening other PKCS#12 files (\(configuration.width) at once, "
                + "\(configuration.queueLimit) waiting); retry after 1 s",
            detailCode: "pkcs12-queue-full", headers: ["Retry-After": "1"])
    }
}

/// The thread-specific key that marks a pool's threads.
private let poolThreadKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()

/// The queue and the threads behind ``PKCS12WorkPool``, behind one condition lock.
///
/// `@unchecked Sendable`: every mutable property is read and written only with `condition` locked.
private final class PoolState: @unchecked Sendable {
    typealias Job = @Sendable () -> Void

    private let width: Int
    private let queueLimit: Int
    private let condition = NSCondition()
    private var queue: [Job] = []
    private var queueHead = 0
    private var running = 0
    private var refused = 0
    private var threads = 0
    private var stopped = false
    private var beforeEachJob: (@Sendable () -> Void)?

    init(width: Int, queueLimit: Int) {
        self.width = width
        self.queueLimit = queueLimit
    }

    var load: PKCS12WorkPool.Load {
        condition.lock()
        defer { condition.unlock() }
        return PKCS12WorkPool.Load(running: running, waiting: queue.count - queueHead, refused: refused)
    }

    /// Queues a job; `false` when the queue is full or the pool stopped.
    func submit(_ job: @escaping Job) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let waiting = queue.count - queueHead
        // A job waits only when every thread is busy; so the bound is width running plus queueLimit waiting.
        guard !stopped, running + waiting < width + queueLimit else {
            refused += 1
            return false
        }
        queue.append(job)
        if threads < width {
            threads += 1
            let thread = Thread { [self] in
                // Named from inside: on Linux a new thread otherwise keeps its creator's name.
                Thread.current.name = "certdrop.pkcs12"
                pthread_setspecific(poolThreadKey, UnsafeRawPointer(bitPattern: 1))
                work()
            }
            thread.start()
        }
        condition.signal()
        return true
    }

    func setBeforeEachJob(_ hook: (@Sendable () -> Void)?) {
        condition.lock()
        beforeEachJob = hook
        condition.unlock()
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// A thread's loop: take the oldest job, run it, until the pool stops and the queue is empty.
    private func work() {
        condition.lock()
        while true {
            while queueHead == queue.count && !stopped { condition.wait() }
            guard queueHead < queue.count else { break }
            let job = queue[queueHead]
            queueHead += 1
            if queueHead == queue.count {
                queue.removeAll(keepingCapacity: true)
                queueHead = 0
            }
            running += 1
            let hook = beforeEachJob
            condition.unlock()
            hook?()
            job()
            condition.lock()
            running -= 1
        }
        threads -= 1
        condition.unlock()
    }
}
