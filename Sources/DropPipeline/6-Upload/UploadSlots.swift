import Dispatch

/// The permits of the upload stage: a fixed number (`--concurrency N`, a plain semaphore) or a window that moves
/// (`--concurrency auto`, ``AdaptiveConcurrency``).
enum UploadSlots: Sendable {
    case fixed(DispatchSemaphore)
    case adaptive(AdaptiveConcurrency)

    init(_ options: ImportOptions) {
        if let adaptive = options.adaptive {
            self = .adaptive(adaptive)
        } else {
            self = .fixed(DispatchSemaphore(value: options.concurrency))
        }
    }

    /// Takes a permit, blocking the calling thread.
    func wait() {
        switch self {
        case .fixed(let semaphore): semaphore.wait()
        case .adaptive(let window): window.acquire()
        }
    }

    /// Gives a permit back.
    func signal() {
        switch self {
        case .fixed(let semaphore): semaphore.signal()
        case .adaptive(let window): window.release()
        }
    }
}
