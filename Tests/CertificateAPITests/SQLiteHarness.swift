import CertificateAPI
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The system's SQLite, loaded with `dlopen` so that the tests can run the SQL that ``FilterExpression`` makes
/// without the module depending on SQLite. Tests that use it are skipped where no `libsqlite3` can be loaded.
struct SQLiteHarness {
    private typealias Open = @convention(c) (UnsafePointer<CChar>?, UnsafeMutablePointer<OpaquePointer?>?) -> Int32
    private typealias Close = @convention(c) (OpaquePointer?) -> Int32
    private typealias Prepare =
        @convention(c) (
            OpaquePointer?, UnsafePointer<CChar>?, Int32, UnsafeMutablePointer<OpaquePointer?>?,
            UnsafeMutablePointer<UnsafePointer<CChar>?>?
        ) -> Int32
    private typealias BindText =
        @convention(c) (
            OpaquePointer?, Int32, UnsafePointer<CChar>?, Int32, UnsafeRawPointer?
        ) -> Int32
    private typealias BindDouble = @convention(c) (OpaquePointer?, Int32, Double) -> Int32
    private typealias Step = @convention(c) (OpaquePointer?) -> Int32
    private typealias ColumnText = @convention(c) (OpaquePointer?, Int32) -> UnsafePointer<UInt8>?
    private typealias ColumnBytes = @convention(c) (OpaquePointer?, Int32) -> Int32
    private typealias Finalize = @convention(c) (OpaquePointer?) -> Int32
    private typealias ErrorMessage = @convention(c) (OpaquePointer?) -> UnsafePointer<CChar>?

    private let open: Open
    private let close: Close
    private let prepare: Prepare
    private let bindText: BindText
    private let bindDouble: BindDouble
    private let step: Step
    private let columnText: ColumnText
    private let columnBytes: ColumnBytes
    private let finalize: Finalize
    private let errorMessage: ErrorMessage

    static let isAvailable = load() != nil

    static func load() -> SQLiteHarness? {
        for name in ["libsqlite3.so.0", "libsqlite3.so", "libsqlite3.dylib"] {
            if let handle = dlopen(name, RTLD_NOW), let harness = SQLiteHarness(handle: handle) {
                return harness
            }
        }
        return nil
    }

    private init?(handle: UnsafeMutableRawPointer) {
        func symbol<T>(_ name: String, _ type: T.Type) -> T? {
            guard let pointer = dlsym(handle, name) else { return nil }
            return unsafeBitCast(pointer, to: type)
        }
        guard let open = symbol("sqlite3_open", Open.self), let close = symbol("sqlite3_close", Close.self),
            let prepare = symbol("sqlite3_prepare_v2", Prepare.self),
            let bindText = symbol("sqlite3_bind_text", BindText.self),
            let bindDouble = symbol("sqlite3_bind_double", BindDouble.self),
            let step = symbol("sqlite3_step", Step.self),
            let columnText = symbol("sqlite3_column_text", ColumnText.self),
            let columnBytes = symbol("sqlite3_column_bytes", ColumnBytes.self),
            let finalize = symbol("sqlite3_finalize", Finalize.self),
            let errorMessage = symbol("sqlite3_errmsg", ErrorMessage.self)
        else { return nil }
        self.open = open
        self.close = close
        self.prepare = prepare
        self.bindText = bindText
        self.bindDouble = bindDouble
        self.step = step
        self.columnText = columnText
        self.columnBytes = columnBytes
        self.finalize = finalize
        self.errorMessage = errorMessage
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Makes an in-memory table `certificates(id, subject, thumbprint, expiration_date)` with the records, runs
    /// `SELECT id … WHERE clause` for each clause, and returns the selected identifiers of each.
    func select(from records: [CertificateRecord], where clauses: [SQLWhereClause]) throws -> [Set<String>] {
        var db: OpaquePointer?
        guard open(":memory:", &db) == 0 else { throw Failure(description: "sqlite3_open failed") }
        defer { _ = close(db) }
        _ = try run(
            db,
            """
            CREATE TABLE certificates (id TEXT NOT NULL PRIMARY KEY, subject TEXT NOT NULL,
                thumbprint TEXT NOT NULL, expiration_date REAL NOT NULL)
            """,
            []
        )
        for record in records {
            _ = try run(
                db,
                "INSERT INTO certificates VALUES (?, ?, ?, ?)",
                [
                    .text(record.certificateId), .text(record.subject), .text(record.thumbprint),
                    .real(record.expirationDate.timeIntervalSince1970),
                ]
            )
        }
        return try clauses.map { clause in
            Set(try run(db, "SELECT id FROM certificates WHERE \(clause.sql) ORDER BY id", clause.bindings))
        }
    }

    private func message(_ db: OpaquePointer?) -> String {
        errorMessage(db).map { String(cString: $0) } ?? "unknown error"
    }

    private func run(_ db: OpaquePointer?, _ sql: String, _ bindings: [SQLValue]) throws -> [String] {
        var statement: OpaquePointer?
        guard prepare(db, sql, -1, &statement, nil) == 0 else {
            throw Failure(description: "prepare failed: \(message(db)) in \(sql)")
        }
        defer { _ = finalize(statement) }
        // SQLITE_TRANSIENT: SQLite copies the text before the call returns.
        let transient = UnsafeRawPointer(bitPattern: -1)
        for (offset, value) in bindings.enumerated() {
            let index = Int32(offset + 1)
            switch value {
            case .text(let text):
                let bytes = Array(text.utf8)
                _ = bytes.withUnsafeBufferPointer { buffer in
                    buffer.withMemoryRebound(to: CChar.self) { chars in
                        bindText(statement, index, chars.baseAddress, Int32(bytes.count), transient)
                    }
                }
            case .real(let number):
                _ = bindDouble(statement, index, number)
            }
        }
        var rows: [String] = []
        while true {
            let result = step(statement)
            if result == 101 { break }  // SQLITE_DONE
            guard result == 100 else {  // SQLITE_ROW
                throw Failure(description: "step failed: \(message(db))")
            }
            if let text = columnText(statement, 0) {
                let count = Int(columnBytes(statement, 0))
                rows.append(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
            }
        }
        return rows
    }
}
