/// Where an archive's bytes are: in memory (a nested archive, or bytes handed in), or in a file on disk (a
/// top-level archive opened with ``ArchiveReader/forEachEntry(inFileDescriptor:named:_:)``).
enum ArchiveInput {
    case memory(UnsafeRawBufferPointer)
    case file(ArchiveFileSource)
}

/// One archive being read: where it sits, for naming its entries and its own problems.
struct ArchiveRef {
    /// Its path inside its container, or the top-level name.
    let path: String
    /// The containers above it.
    let containers: [String]
    /// Its size in bytes.
    let size: Int

    /// The container chain of its entries.
    var chain: [String] { containers + [path] }

    /// A problem entry naming this archive.
    func problem(_ code: ArchiveProblem.Code, _ message: String) -> ArchiveEntry {
        ArchiveEntry(containers: containers, path: path, size: size, content: .failure(ArchiveProblem(code, message)))
    }
}

/// The traversal of one top-level input, with the counters that `ArchiveLimits` bounds across all its levels.
///
/// `body` is passed down every call rather than stored, so that `forEachEntry` can stay `rethrows`.
final class ArchiveWalk {
    typealias Body = (ArchiveEntry) throws -> Void

    let limits: ArchiveLimits
    let passphrases: [[UInt8]]
    /// Passphrases libarchive can take (non-empty, no NUL byte).
    let usablePassphraseCount: Int
    /// Entry headers read so far, all levels.
    private(set) var entryCount = 0
    /// Uncompressed bytes produced so far, all levels, read or skipped.
    private(set) var totalBytes = 0
    /// Set once `totalBytes` would pass `maxTotalBytes`: nothing more is read.
    private(set) var isBytesExhausted = false
    /// Set once `maxEntries` is passed: everything stops.
    private(set) var isStopped = false

    init(limits: ArchiveLimits, passphrases: [[UInt8]]) {
        self.limits = limits
        self.passphrases = passphrases
        self.usablePassphraseCount = passphrases.filter { !$0.isEmpty && !$0.contains(0) }.count
    }

    /// Yields `bytes` as a leaf, or reads them as an archive when their content says so.
    func visit(_ bytes: [UInt8], path: String, containers: [String], _ body: Body) rethrows {
        guard let format = ContainerDetector.detect(bytes) else {
            try body(ArchiveEntry(containers: containers, path: path, size: bytes.count, content: .success(bytes)))
            return
        }
        let archive = ArchiveRef(path: path, containers: containers, size: bytes.count)
        guard containers.count < limits.maxDepth else {
            try body(
                archive.problem(
                    .nestingLimit,
                    "a \(format.rawValue) archive at nesting level \(containers.count + 1), beyond the limit of "
                        + "\(limits.maxDepth) levels; not opened"))
            return
        }
        try bytes.withUnsafeBytes { buffer in
            try read(format, .memory(buffer), archive, body)
        }
    }

    /// Reads a top-level archive file from disk (its format told by its first bytes), never holding it whole.
    func visit(file source: ArchiveFileSource, format: ContainerFormat, path: String, size: Int, _ body: Body) rethrows
    {
        let archive = ArchiveRef(path: path, containers: [], size: size)
        guard limits.maxDepth > 0 else {
            try body(
                archive.problem(
                    .nestingLimit,
                    "a \(format.rawValue) archive at nesting level 1, beyond the limit of \(limits.maxDepth) levels; "
                        + "not opened"))
            return
        }
        try read(format, .file(source), archive, body)
    }

    private func read(_ format: ContainerFormat, _ input: ArchiveInput, _ archive: ArchiveRef, _ body: Body) rethrows {
        switch format {
        case .zip: try readZip(input, archive, body)
        case .tar: try readContainer(.tar, input, archive, cheapSkip: true, body)
        case .sevenZip: try readContainer(.sevenZip, input, archive, cheapSkip: false, body)
        case .gzip, .bzip2, .xz: try readCompressed(format, input, archive, body)
        }
    }

    // MARK: - Limits

    /// Counts `count` produced bytes against the total; false (and exhausted from then on) when they do not fit.
    func consume(_ count: Int) -> Bool {
        guard count > 0 else { return true }
        guard !isBytesExhausted, count <= limits.maxTotalBytes - totalBytes else {
            isBytesExhausted = true
            return false
        }
        totalBytes += count
        return true
    }

    /// Gives back bytes that will be produced again (the raw pass's look at a compressed tar).
    func refund(_ count: Int) {
        totalBytes -= min(count, totalBytes)
    }

    /// Counts one entry header; past `maxEntries`, reports it against `archive`, stops everything and returns
    /// false.
    func countEntry(_ archive: ArchiveRef, _ body: Body) rethrows -> Bool {
        entryCount += 1
        guard entryCount > limits.maxEntries else { return true }
        isStopped = true
        try body(
            archive.problem(
                .tooManyEntries,
                "more than \(limits.maxEntries) entries (nested archives included), the limit per top-level archive; "
                    + "the rest was not read"))
        return false
    }

    // MARK: - Opening

    /// A reader opened on `input` for one format (and filter), or why it could not be opened.
    private func open(
        _ format: ReadFormat,
        filter: ContainerFormat?,
        _ input: ArchiveInput
    ) -> Result<ArchiveReadHandle, ArchiveProblem> {
        guard let handle = ArchiveReadHandle() else {
            return .failure(ArchiveProblem(.corruptArchive, "libarchive could not allocate a reader"))
        }
        if let reason = handle.enable(format, filter: filter) {
            return .failure(ArchiveProblem(.corruptArchive, reason))
        }
        if format == .zipSeekable || format == .zipStreamable || format == .sevenZip {
            handle.addPassphrases(passphrases)
        }
        let failure: String? =
            switch input {
            case .memory(let buffer): handle.open(buffer, filter: filter)
            case .file(let source): handle.open(source, filter: filter)
            }
        if let reason = failure {
            let kind = filter.map { "\($0.rawValue)-compressed \(format.displayName)" } ?? format.displayName
            return .failure(ArchiveProblem(.corruptArchive, "not a readable \(kind) archive: \(reason)"))
        }
        return .success(handle)
    }

    /// zip, tar, 7z: every entry in turn. `cheapSkip` says libarchive can skip data without producing it.
    private func readContainer(
        _ format: ReadFormat,
        _ input: ArchiveInput,
        _ archive: ArchiveRef,
        cheapSkip: Bool,
        _ body: Body
    ) rethrows {
        switch open(format, filter: nil, input) {
        case .failure(let problem):
            try body(archive.problem(problem.code, problem.message))
        case .success(let handle):
            try readEntries(handle, archive, cheapSkip: cheapSkip, body)
        }
    }

    /// zip: through the central directory when there is a usable one, otherwise (a truncated zip) from the local
    /// headers, in a separate reader, with every skipped byte counted.
    private func readZip(_ input: ArchiveInput, _ archive: ArchiveRef, _ body: Body) rethrows {
        if case .success(let handle) = open(.zipSeekable, filter: nil, input) {
            try readEntries(handle, archive, cheapSkip: true, body)
            return
        }
        try readContainer(.zipStreamable, input, archive, cheapSkip: false, body)
    }

    /// gzip, bzip2, xz: a first pass in libarchive's raw format looks at the start of the decompressed stream.
    /// A tar there is read in a second, separate pass with the tar format; anything else is the one file, read
    /// on from where the first pass stopped.
    private func readCompressed(
        _ filter: ContainerFormat,
        _ input: ArchiveInput,
        _ archive: ArchiveRef,
        _ body: Body
    ) rethrows {
        guard try readSingleFileUnlessTar(filter, input, archive, body) else { return }
        switch open(.tar, filter: filter, input) {
        case .failure(let problem):
            try body(archive.problem(problem.code, problem.message))
        case .success(let handle):
            try readEntries(handle, archive, cheapSkip: false, body)
        }
    }

    /// The raw pass: true when the stream holds a tar (nothing reported yet); otherwise reports the one file,
    /// or why the stream cannot be read, and returns false. Its reader is freed on return.
    private func readSingleFileUnlessTar(
        _ filter: ContainerFormat,
        _ input: ArchiveInput,
        _ archive: ArchiveRef,
        _ body: Body
    ) rethrows -> Bool {
        let handle: ArchiveReadHandle
        switch open(.raw, filter: filter, input) {
        case .failure(let problem):
            try body(archive.problem(problem.code, problem.message))
            return false
        case .success(let opened):
            handle = opened
        }
        switch handle.nextHeader() {
        case .entry:
            break
        case .end:
            try body(archive.problem(.corruptArchive, "the \(filter.rawValue) stream holds no data"))
            return false
        case .failed(_, let message), .fatal(let message):
            try body(archive.problem(.corruptArchive, "the \(filter.rawValue) stream cannot be read: \(message)"))
            return false
        }
        var content: [UInt8] = []
        var outcome = readData(handle, into: &content, pauseAt: ContainerDetector.prefixLength)
        if case .paused = outcome, ContainerDetector.isTar(Array(content.prefix(ContainerDetector.prefixLength))) {
            refund(content.count)
            return true
        }
        if case .complete = outcome, ContainerDetector.isTar(content) {
            refund(content.count)
            return true
        }
        if case .paused = outcome {
            outcome = readData(handle, into: &content)
        }
        let path = EntryName.decompressedName(of: archive.path)
        guard try countEntry(archive, body) else { return false }
        func problem(_ code: ArchiveProblem.Code, _ message: String) -> ArchiveEntry {
            ArchiveEntry(
                containers: archive.chain, path: path, size: 0, content: .failure(ArchiveProblem(code, message)))
        }
        switch outcome {
        case .complete, .paused:
            try visit(content, path: path, containers: archive.chain, body)
        case .tooLarge:
            content = []
            try body(problem(.tooLarge, tooLargeMessage))
        case .budget:
            content = []
            try body(problem(.archiveTooLarge, budgetMessage(restOfArchive: false)))
        case .failed(let message), .fatal(let message):
            // The stream and its one file are the same bytes: the damage is the container's.
            try body(
                archive.problem(
                    .corruptArchive, "the \(filter.rawValue) data is damaged after \(content.count) bytes: \(message)"))
        }
        return false
    }
}
