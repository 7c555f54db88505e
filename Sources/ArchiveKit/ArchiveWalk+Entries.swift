/// The loop over the entries of one zip, tar or 7z, and what happens to each entry.
extension ArchiveWalk {
    /// Reads every header of `handle` in turn until the end, damage, or a limit that stops the archive.
    /// `cheapSkip`: libarchive skips data without producing it (zip, plain tar), so that once the total byte
    /// limit is reached the remaining entries can still be named; in a compressed tar or a 7z every skipped byte
    /// is decompressed, so such an archive stops there.
    func readEntries(_ handle: ArchiveReadHandle, _ archive: ArchiveRef, cheapSkip: Bool, _ body: Body) rethrows {
        var index = 0
        while !isStopped {
            let header: EntryHeader
            switch handle.nextHeader() {
            case .end:
                return
            case .fatal(let message):
                let place = index == 0 ? "cannot be read" : "is damaged after \(index) entries"
                try body(archive.problem(.corruptArchive, "the archive \(place): \(message)"))
                return
            case .failed(let partial, let message):
                index += 1
                guard try countEntry(archive, body) else { return }
                try body(failedHeaderProblem(partial, index: index, message: message, archive))
                continue
            case .entry(let next):
                header = next
            }
            index += 1
            guard try countEntry(archive, body) else { return }
            guard try readEntry(header, handle, archive, cheapSkip: cheapSkip, body) else { return }
        }
    }

    /// Handles one entry; false when its archive must stop (already reported).
    private func readEntry(
        _ header: EntryHeader,
        _ handle: ArchiveReadHandle,
        _ archive: ArchiveRef,
        cheapSkip: Bool,
        _ body: Body
    ) rethrows -> Bool {
        func problem(_ code: ArchiveProblem.Code, _ message: String) -> ArchiveEntry {
            ArchiveEntry(
                containers: archive.chain, path: header.name, size: header.declaredSize ?? 0,
                content: .failure(ArchiveProblem(code, message)))
        }
        if header.kind == .directory {
            return try skip(handle, after: header.name, archive, cheapSkip: cheapSkip, body)
        }
        if let reason = EntryName.unsafeReason(header.rawName) {
            try body(problem(.unsafePath, "\(reason); not read"))
            return try skip(handle, after: header.name, archive, cheapSkip: cheapSkip, body)
        }
        let notRegular: String? =
            switch header.kind {
            case .regular, .directory: nil
            case .symbolicLink(let target): "a symbolic link to '\(target)'"
            case .hardLink(let target): "a hard link to '\(target)'"
            case .other(let description): "a \(description)"
            }
        if let notRegular {
            try body(problem(.unsafeEntry, "\(notRegular), not a regular file; not read"))
            return try skip(handle, after: header.name, archive, cheapSkip: cheapSkip, body)
        }
        if isBytesExhausted {
            try body(problem(.archiveTooLarge, budgetMessage(restOfArchive: !cheapSkip)))
            return cheapSkip
        }
        if header.isEncrypted, usablePassphraseCount == 0 {
            try body(problem(.encryptedEntry, "the entry is encrypted and \(noPassphrase)"))
            return try skip(handle, after: header.name, archive, cheapSkip: cheapSkip, body)
        }
        var content: [UInt8] = []
        switch readData(handle, into: &content) {
        case .complete, .paused:
            try visit(content, path: header.name, containers: archive.chain, body)
            return true
        case .tooLarge:
            content = []
            try body(problem(.tooLarge, tooLargeMessage))
            return try skip(handle, after: header.name, archive, cheapSkip: cheapSkip, body)
        case .budget:
            content = []
            try body(problem(.archiveTooLarge, budgetMessage(restOfArchive: !cheapSkip)))
            return cheapSkip
        case .failed(let message):
            if header.isEncrypted {
                try body(problem(.encryptedEntry, encryptedMessage(message)))
            } else {
                try body(problem(.corruptArchive, "the entry's data cannot be read: \(message)"))
            }
            return true
        case .fatal(let message):
            if header.isEncrypted {
                try body(
                    problem(.encryptedEntry, encryptedMessage(message) + "; the rest of the archive is unreadable"))
            } else {
                try body(problem(.corruptArchive, "the entry's data cannot be read, nor anything after it: \(message)"))
            }
            return false
        }
    }

    /// Skips the rest of the current entry's data; false when the archive must stop (reported here).
    private func skip(
        _ handle: ArchiveReadHandle,
        after path: String,
        _ archive: ArchiveRef,
        cheapSkip: Bool,
        _ body: Body
    ) rethrows -> Bool {
        switch cheapSkip ? handle.skipData().dataOutcome : drain(handle) {
        case .complete, .paused, .tooLarge, .failed:
            // A failed skip is retried by the next header read, which reports real damage.
            return true
        case .budget:
            try body(
                archive.problem(
                    .archiveTooLarge,
                    "the limit of \(limits.maxTotalBytes) uncompressed bytes per top-level archive was reached while "
                        + "skipping '\(path)'; the rest of this archive was not read"))
            return false
        case .fatal(let message):
            try body(archive.problem(.corruptArchive, "the archive is damaged after '\(path)': \(message)"))
            return false
        }
    }

    /// A header libarchive could not read completely (`ARCHIVE_FAILED`): named when it has a name, otherwise
    /// reported against the archive with its position.
    private func failedHeaderProblem(
        _ partial: EntryHeader?,
        index: Int,
        message: String,
        _ archive: ArchiveRef
    ) -> ArchiveEntry {
        guard let partial, !partial.name.isEmpty else {
            return archive.problem(.corruptArchive, "entry \(index) cannot be read: \(message)")
        }
        let problem =
            partial.isEncrypted
            ? ArchiveProblem(.encryptedEntry, encryptedMessage(message))
            : ArchiveProblem(.corruptArchive, "the entry's header cannot be read: \(message)")
        return ArchiveEntry(
            containers: archive.chain, path: partial.name, size: partial.declaredSize ?? 0, content: .failure(problem))
    }

    /// Why nothing was tried: none given, or none libarchive can take.
    private var noPassphrase: String {
        passphrases.isEmpty
            ? "no passphrase was given" : "no usable passphrase was given (empty ones and ones with NUL are skipped)"
    }

    /// Never names a passphrase: only how many were tried, and libarchive's own words (which hold none).
    func encryptedMessage(_ libarchiveMessage: String) -> String {
        let tried =
            usablePassphraseCount == 0
            ? noPassphrase
            : "none of the \(usablePassphraseCount) passphrase(s) given opens it"
        return "the entry is encrypted and \(tried) (\(libarchiveMessage))"
    }

    var tooLargeMessage: String {
        "the entry expands to more than \(limits.maxEntryBytes) bytes, the limit per entry; reading stopped there"
    }

    func budgetMessage(restOfArchive: Bool) -> String {
        "the limit of \(limits.maxTotalBytes) uncompressed bytes per top-level archive was reached before this "
            + "entry could be read" + (restOfArchive ? "; the rest of this archive was not read" : "")
    }
}
