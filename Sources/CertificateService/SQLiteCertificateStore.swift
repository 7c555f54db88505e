import CertificateAPI
import Foundation
import GRDB

/// The certificate store: one SQLite file, reached through GRDB.
///
/// Why GRDB 7: it is well kept and Swift 6 ready (`Sendable` database handles, `async` access); its
/// `DatabasePool` runs SQLite in WAL mode with one serialised writer and concurrent readers, so lists never wait
/// for a `PUT`; its `DatabaseMigrator` versions the schema (``StoreSchema``); and its typed `Row` access keeps SQL
/// plain while binding every value. It links the system's SQLite (`libsqlite3-dev`).
///
/// **Atomicity.** Each write runs in one transaction that checks the precondition (existence, `If-Match`, policy
/// references) and writes, so a write happens whole or not at all, and two racing writers cannot both pass the
/// same `If-Match`.
///
/// **Durability.** In WAL mode a commit is appended to the `-wal` file with `write(2)` before the transaction
/// returns, and so before the response is sent. With `synchronous=NORMAL` (``Durability/processCrash``) the data
/// is then in the operating system's page cache: a server that is killed, even with `SIGKILL`, loses no
/// acknowledged write; only a power loss or kernel crash can lose the last commits (never corrupting the file).
/// ``Durability/powerLoss`` sets `synchronous=FULL`, which also `fsync`s the WAL at every commit.
public final class SQLiteCertificateStore: CertificateRepository {
    /// Where the store lives.
    public enum Location: Hashable, Sendable {
        /// A file (its folder is made when missing); WAL mode.
        case file(String)
        /// A private in-memory database, for tests.
        case memory
    }

    /// What a commit survives.
    public enum Durability: String, Hashable, Sendable, CaseIterable {
        /// `synchronous=NORMAL`: a killed process loses nothing; a power loss may lose the last commits.
        case processCrash = "process"
        /// `synchronous=FULL`: every commit is `fsync`ed.
        case powerLoss = "power"
    }

    private let writer: any DatabaseWriter
    /// Where the store lives.
    public let location: Location

    /// Opens (and creates or migrates) a store.
    /// - Throws: ``CertificateServiceError/Code/storageFailure`` when the file cannot be opened or migrated.
    public init(location: Location, durability: Durability = .processCrash) throws(CertificateServiceError) {
        self.location = location
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(5)
        let synchronous = durability == .powerLoss ? "FULL" : "NORMAL"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
        }
        do {
            switch location {
            case .file(let path):
                try Self.preparePrivately(path)
                writer = try DatabasePool(path: path, configuration: configuration)
            case .memory:
                writer = try DatabaseQueue(configuration: configuration)
            }
            try StoreSchema.migrator.migrate(writer)
        } catch {
            throw .storage(error)
        }
    }

    /// Makes a missing folder with mode `0700` and a missing store file with mode `0600`, so that the uploaded
    /// PKCS#12 files stay the owner's: SQLite gives the `-wal` and `-shm` files the store file's mode.
    private static func preparePrivately(_ path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        if !FileManager.default.fileExists(atPath: folder.path) {
            try FileManager.default.createDirectory(
                at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
            else {
                throw CertificateServiceError(.storageFailure, "cannot create the store \(path)")
            }
        }
    }

    /// Closes the database; later calls fail with ``CertificateServiceError/Code/storageFailure``.
    public func close() throws(CertificateServiceError) {
        do {
            if let pool = writer as? DatabasePool {
                try pool.close()
            } else if let queue = writer as? DatabaseQueue {
                try queue.close()
            }
        } catch {
            throw .storage(error)
        }
    }

    /// The journal mode in use (`wal` for files), for tests.
    public func journalMode() async throws(CertificateServiceError) -> String {
        try await read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    // MARK: CertificateRepository

    public func list(filter: ODataFilter?, page: PageRequest, keyVaultRefreshFailed: Bool)
        async throws(CertificateServiceError) -> CertificatePage
    {
        let clause = filter?.sqlWhereClause(columns: StoreSchema.filterColumns)
        let failedOnly =
            keyVaultRefreshFailed
            ? " AND key_vault_secret IS NOT NULL AND key_vault_status = '\(KeyVaultStatus.failed)'" : ""
        let condition = (clause.map { "(\($0.sql))" } ?? "1") + failedOnly
        let bindings = (clause?.bindings ?? []).map { value -> (any DatabaseValueConvertible)? in
            switch value {
            case .text(let text): return text
            case .real(let number): return number
            }
        }
        let filterArguments = StatementArguments(bindings)
        let limit = Int64(page.top)
        let offset = Int64(page.skip)
        return try await read { db in
            let total = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM certificate WHERE \(condition)", arguments: filterArguments)
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(StoreSchema.certificateColumns) FROM certificate WHERE \(condition)
                    ORDER BY id LIMIT ? OFFSET ?
                    """,
                arguments: filterArguments + [limit, offset])
            return CertificatePage(certificates: rows.map(Self.certificate(from:)), totalCount: total ?? 0)
        }
    }

    public func certificate(id: String) async throws(CertificateServiceError) -> StoredCertificate? {
        try await read { db in try Self.fetchCertificate(db, id: id) }
    }

    public func pkcs12(id: String) async throws(CertificateServiceError) -> [UInt8]? {
        try await read { db in
            try Data.fetchOne(db, sql: "SELECT pkcs12 FROM certificate_content WHERE id = ?", arguments: [id])
                .map { [UInt8]($0) }
        }
    }

    public func put(id: String, content: CertificateContent, condition: WriteCondition)
        async throws(CertificateServiceError) -> PutOutcome
    {
        try await write { db in
            let existing = try Self.fetchCertificate(db, id: id)
            switch (condition, existing) {
            case (.mustNotExist, .some):
                throw CertificateServiceError(
                    .identifierInUse,
                    "a certificate with the identifier '\(id)' already exists; "
                        + "send If-Match with its ETag (or '*') to replace it", target: "id")
            case (.ifNoneMatchAny, .some):
                throw CertificateServiceError(
                    .preconditionFailed,
                    "the certificate '\(id)' already exists, so If-None-Match: * fails",
                    target: "If-None-Match")
            case (.ifMatch(.tags), nil):
                throw CertificateServiceError(
                    .preconditionFailed, "the certificate '\(id)' does not exist, so If-Match cannot match",
                    target: "If-Match")
            case (.ifMatch(let tags), .some(let current)) where !tags.matches(current.etag):
                throw Self.mismatch(id: id, current: current)
            default:
                break
            }
            let etag = try Self.nextEntityTag(db)
            let now = Date().timeIntervalSince1970
            let status = content.keyVault == nil ? nil : content.keyVaultStatus
            let arguments: StatementArguments = [
                id, content.subject, content.thumbprint, content.expirationDate.timeIntervalSince1970, etag,
                content.keyVault?.secretIdentifier, content.keyVault?.identityClientId, status?.code, status?.message,
                status?.timeStampUtc?.timeIntervalSince1970, now, now,
            ]
            try db.cachedStatement(
                sql: """
                    INSERT INTO certificate (id, subject, thumbprint, expiration_date, etag, key_vault_secret,
                        key_vault_identity, key_vault_status, key_vault_message, key_vault_checked_at, created_at,
                        updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET subject = excluded.subject, thumbprint = excluded.thumbprint,
                        expiration_date = excluded.expiration_date, etag = excluded.etag,
                        key_vault_secret = excluded.key_vault_secret, key_vault_identity = excluded.key_vault_identity,
                        key_vault_status = excluded.key_vault_status, key_vault_message = excluded.key_vault_message,
                        key_vault_checked_at = excluded.key_vault_checked_at, updated_at = excluded.updated_at
                    """
            ).execute(arguments: arguments)
            if let bytes = content.pkcs12 {
                try db.cachedStatement(sql: "INSERT OR REPLACE INTO certificate_content (id, pkcs12) VALUES (?, ?)")
                    .execute(arguments: [id, Data(bytes)])
            } else {
                try db.cachedStatement(sql: "DELETE FROM certificate_content WHERE id = ?").execute(arguments: [id])
            }
            let stored = StoredCertificate(
                record: CertificateRecord(
                    certificateId: id, subject: content.subject, thumbprint: content.thumbprint,
                    expirationDate: content.expirationDate),
                etag: etag, keyVault: content.keyVault, keyVaultStatus: status)
            return existing == nil ? .created(stored) : .replaced(stored)
        }
    }

    public func delete(id: String, condition: EntityTagCondition) async throws(CertificateServiceError)
        -> StoredCertificate
    {
        try await write { db in
            guard let current = try Self.fetchCertificate(db, id: id) else {
                throw CertificateServiceError.notFound("the certificate '\(id)' does not exist")
            }
            guard condition.matches(current.etag) else { throw Self.mismatch(id: id, current: current) }
            let references = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM policy_reference WHERE certificate_id = ?", arguments: [id])
            if let references, references > 0 {
                throw CertificateServiceError(
                    .certificateInUse, "Certificate cannot be deleted since it is being used by one or more policies.",
                    target: "id")
            }
            try db.execute(sql: "DELETE FROM certificate WHERE id = ?", arguments: [id])
            return current
        }
    }

    public func addPolicyReference(_ reference: PolicyReference) async throws(CertificateServiceError) -> Bool {
        try await write { db in
            guard try Self.fetchCertificate(db, id: reference.certificateId) != nil else {
                throw CertificateServiceError.notFound("the certificate '\(reference.certificateId)' does not exist")
            }
            try db.execute(
                sql: "INSERT OR IGNORE INTO policy_reference (scope, certificate_id, created_at) VALUES (?, ?, ?)",
                arguments: [reference.scope, reference.certificateId, Date().timeIntervalSince1970])
            return db.changesCount > 0
        }
    }

    public func removePolicyReference(_ reference: PolicyReference) async throws(CertificateServiceError) -> Bool {
        try await write { db in
            try db.execute(
                sql: "DELETE FROM policy_reference WHERE scope = ? AND certificate_id = ?",
                arguments: [reference.scope, reference.certificateId])
            return db.changesCount > 0
        }
    }

    public func policyReferences(certificateId: String?) async throws(CertificateServiceError) -> [PolicyReference] {
        try await read { db in
            let rows: [Row]
            if let certificateId {
                rows = try Row.fetchAll(
                    db,
                    sql: "SELECT scope, certificate_id FROM policy_reference WHERE certificate_id = ? ORDER BY scope",
                    arguments: [certificateId])
            } else {
                rows = try Row.fetchAll(
                    db, sql: "SELECT scope, certificate_id FROM policy_reference ORDER BY certificate_id, scope")
            }
            return rows.map { PolicyReference(scope: $0["scope"], certificateId: $0["certificate_id"]) }
        }
    }

    // MARK: Helpers

    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T)
        async throws(CertificateServiceError) -> T
    {
        do {
            return try await writer.read(body)
        } catch let error as CertificateServiceError {
            throw error
        } catch {
            throw .storage(error)
        }
    }

    private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T)
        async throws(CertificateServiceError) -> T
    {
        do {
            return try await writer.write(body)
        } catch let error as CertificateServiceError {
            throw error
        } catch {
            throw .storage(error)
        }
    }

    private static func fetchCertificate(_ db: Database, id: String) throws -> StoredCertificate? {
        // Cached statements: compiling SQL cost as much as running it, per request.
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT \(StoreSchema.certificateColumns) FROM certificate WHERE id = ?"),
            arguments: [id]
        ).map(certificate(from:))
    }

    private static func certificate(from row: Row) -> StoredCertificate {
        let secret: String? = row["key_vault_secret"]
        let code: String? = row["key_vault_status"]
        let checkedAt: Double? = row["key_vault_checked_at"]
        return StoredCertificate(
            record: CertificateRecord(
                certificateId: row["id"], subject: row["subject"], thumbprint: row["thumbprint"],
                expirationDate: Date(timeIntervalSince1970: row["expiration_date"])),
            etag: row["etag"],
            keyVault: secret.map {
                KeyVaultReference(secretIdentifier: $0, identityClientId: row["key_vault_identity"])
            },
            keyVaultStatus: code.map {
                KeyVaultStatus(
                    code: $0, message: row["key_vault_message"],
                    timeStampUtc: checkedAt.map(Date.init(timeIntervalSince1970:)))
            })
    }

    private static func nextEntityTag(_ db: Database) throws -> String {
        let value =
            try Int64.fetchOne(
                db.cachedStatement(
                    sql: "UPDATE store_counter SET value = value + 1 WHERE name = 'etag' RETURNING value"))
            ?? 0
        let hex = String(UInt64(bitPattern: value), radix: 16)
        return "\"" + String(repeating: "0", count: max(0, 16 - hex.count)) + hex + "\""
    }

    private static func mismatch(id: String, current: StoredCertificate) -> CertificateServiceError {
        CertificateServiceError(
            .preconditionFailed, "If-Match does not match the current ETag of the certificate '\(id)'",
            target: "If-Match")
    }
}
