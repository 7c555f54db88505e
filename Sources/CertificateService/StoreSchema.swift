import CertificateAPI
import GRDB

/// The SQLite schema of the store, as GRDB migrations: each runs once, in order, in a transaction, and GRDB records
/// which have run, so that an older store is brought up to date when it is opened.
///
/// Choices that the queries depend on:
/// - `certificate.id` is the primary key with SQLite's `BINARY` collation, so `ORDER BY id` is the order of the
///   identifiers' UTF-8 bytes, which is their Unicode scalar order (``CertificateAPI/CertificateIdentifier``).
/// - `subject` and `thumbprint` are declared `COLLATE NOCASE`, so their indexes serve the `COLLATE NOCASE`
///   comparisons and the `LIKE 'x%'` prefix searches that ``CertificateAPI/ODataFilter/sqlWhereClause(columns:)``
///   writes (SQLite's LIKE optimisation needs a `NOCASE` column while `case_sensitive_like` is off).
/// - `expiration_date` is `REAL` seconds since 1970 and indexed, for range filters.
/// - The PKCS#12 bytes live in `certificate_content`, apart from the facts, so that a list reads small rows only.
/// - `store_counter.etag` numbers every write: entity tags never repeat, even after a delete and a re-create.
enum StoreSchema {
    /// The migrations, oldest first.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-certificates") { db in
            try db.execute(
                sql: """
                    CREATE TABLE certificate (
                        id TEXT NOT NULL PRIMARY KEY,
                        subject TEXT NOT NULL COLLATE NOCASE,
                        thumbprint TEXT NOT NULL COLLATE NOCASE,
                        expiration_date REAL NOT NULL,
                        etag TEXT NOT NULL,
                        key_vault_secret TEXT,
                        key_vault_identity TEXT,
                        created_at REAL NOT NULL,
                        updated_at REAL NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX certificate_thumbprint ON certificate(thumbprint);
                    CREATE INDEX certificate_subject ON certificate(subject);
                    CREATE INDEX certificate_expiration_date ON certificate(expiration_date);
                    CREATE INDEX certificate_id_nocase ON certificate(id COLLATE NOCASE);
                    CREATE TABLE certificate_content (
                        id TEXT NOT NULL PRIMARY KEY REFERENCES certificate(id) ON DELETE CASCADE,
                        pkcs12 BLOB NOT NULL
                    );
                    CREATE TABLE policy_reference (
                        scope TEXT NOT NULL,
                        certificate_id TEXT NOT NULL REFERENCES certificate(id),
                        created_at REAL NOT NULL,
                        PRIMARY KEY (scope, certificate_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX policy_reference_certificate ON policy_reference(certificate_id);
                    CREATE TABLE store_counter (
                        name TEXT NOT NULL PRIMARY KEY,
                        value INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    INSERT INTO store_counter (name, value) VALUES ('etag', 0);
                    """)
        }
        // The outcome of the last fetch of a Key Vault secret (ARM's `keyVault.lastStatus`): NULL for uploaded
        // certificates. The partial index serves `isKeyVaultRefreshFailed=true`.
        migrator.registerMigration("v2-key-vault-status") { db in
            try db.execute(
                sql: """
                    ALTER TABLE certificate ADD COLUMN key_vault_status TEXT;
                    ALTER TABLE certificate ADD COLUMN key_vault_message TEXT;
                    ALTER TABLE certificate ADD COLUMN key_vault_checked_at REAL;
                    CREATE INDEX certificate_key_vault_failed ON certificate(id) WHERE key_vault_status = 'Failed';
                    """)
        }
        return migrator
    }

    /// The columns ``CertificateAPI/ODataFilter/sqlWhereClause(columns:)`` writes conditions on.
    static let filterColumns = FilterSQLColumns(
        identifier: "id", subject: "subject", thumbprint: "thumbprint", expirationDate: "expiration_date")

    /// The columns a ``StoredCertificate`` is read from, in order.
    static let certificateColumns =
        "id, subject, thumbprint, expiration_date, etag, key_vault_secret, key_vault_identity, key_vault_status, "
        + "key_vault_message, key_vault_checked_at"
}
