import CertDropTestSupport
import CertificateAPI
import Foundation
import Testing

@testable import CertificateService

/// The store: transactions, ETags, persistence, WAL, and filters pushed into SQL.
@Suite struct SQLiteCertificateStoreTests {
    static func content(_ subject: String, _ thumbprint: String, days: Double = 30) -> CertificateContent {
        CertificateContent(
            subject: subject, thumbprint: thumbprint,
            expirationDate: Date(timeIntervalSince1970: 1_800_000_000 + days * 86_400), pkcs12: Array(subject.utf8))
    }

    static func temporaryStore() -> String {
        Fixtures.temporaryFolder("store").appendingPathComponent("service.sqlite").path
    }

    @Test func everyWriteChangesTheETagAndTagsNeverRepeat() async throws {
        let store = try SQLiteCertificateStore(location: .memory)
        var seen: Set<String> = []
        for round in 0..<3 {
            let outcome = try await store.put(
                id: "c1", content: Self.content("CN=a\(round)", "AA"), condition: .unconditional)
            #expect(seen.insert(outcome.certificate.etag).inserted)
        }
        let current = try #require(try await store.certificate(id: "c1"))
        _ = try await store.delete(id: "c1", condition: .tags([current.etag]))
        let recreated = try await store.put(id: "c1", content: Self.content("CN=b", "BB"), condition: .mustNotExist)
        #expect(seen.insert(recreated.certificate.etag).inserted)
        guard case .created = recreated else {
            Issue.record("expected a creation")
            return
        }
    }

    @Test func aFailedPreconditionLeavesTheStoreUnchanged() async throws {
        let store = try SQLiteCertificateStore(location: .memory)
        let first = try await store.put(id: "c1", content: Self.content("CN=a", "AA"), condition: .mustNotExist)
        await #expect(throws: CertificateServiceError.self) {
            _ = try await store.put(id: "c1", content: Self.content("CN=b", "BB"), condition: .mustNotExist)
        }
        await #expect(throws: CertificateServiceError.self) {
            _ = try await store.put(
                id: "c1", content: Self.content("CN=b", "BB"), condition: .ifMatch(.tags(["\"stale\""])))
        }
        await #expect(throws: CertificateServiceError.self) {
            _ = try await store.delete(id: "c1", condition: .tags(["\"stale\""]))
        }
        let current = try #require(try await store.certificate(id: "c1"))
        #expect(current == first.certificate)
        #expect(try await store.pkcs12(id: "c1") == Array("CN=a".utf8))
    }

    @Test func racingWritersWithTheSameIfMatchCannotBothWin() async throws {
        let store = try SQLiteCertificateStore(location: .file(Self.temporaryStore()))
        let etag = try await store.put(id: "c1", content: Self.content("CN=a", "AA"), condition: .unconditional)
            .certificate.etag
        let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<8 {
                group.addTask {
                    do {
                        _ = try await store.put(
                            id: "c1", content: Self.content("CN=\(index)", "BB"), condition: .ifMatch(.tags([etag])))
                        return true
                    } catch let error as CertificateServiceError where error.code == .preconditionFailed {
                        return false
                    }
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(wins == 1)
    }

    @Test func writesSurviveReopeningAndTheFileIsInWALMode() async throws {
        let path = Self.temporaryStore()
        var etag = ""
        do {
            let store = try SQLiteCertificateStore(location: .file(path), durability: .powerLoss)
            #expect(try await store.journalMode() == "wal")
            etag = try await store.put(id: "kept", content: Self.content("CN=kept", "CC"), condition: .mustNotExist)
                .certificate.etag
            _ = try await store.addPolicyReference(PolicyReference(scope: "global", certificateId: "kept"))
            // The store holds uploaded PKCS#12 files: only its owner may read it, its WAL included.
            for file in [path, path + "-wal"] {
                let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? NSNumber
                #expect(mode?.intValue == 0o600, "\(file)")
            }
            try store.close()
        }
        let reopened = try SQLiteCertificateStore(location: .file(path))
        let kept = try #require(try await reopened.certificate(id: "kept"))
        #expect(kept.etag == etag)
        #expect(kept.record.subject == "CN=kept")
        #expect(try await reopened.policyReferences(certificateId: "kept").count == 1)
        // The ETag counter survives too: the next write gets a new tag.
        let next = try await reopened.put(id: "other", content: Self.content("CN=o", "DD"), condition: .unconditional)
        #expect(next.certificate.etag > etag)
    }

    @Test func filtersPushedIntoSQLSelectWhatTheEvaluatorSelects() async throws {
        let store = try SQLiteCertificateStore(location: .memory)
        var records: [CertificateRecord] = []
        let subjects = ["CN=api.example.test", "CN=API.example.test, O=Big", "CN=Zürich", "CN=db_1%", "CN=o''neil", ""]
        for index in 0..<60 {
            let subject = subjects[index % subjects.count]
            let thumbprint = String(format: "%040X", index * 7_919)
            let stored = try await store.put(
                id: "cert-\(index % 7)-\(index)", content: Self.content(subject, thumbprint, days: Double(index - 20)),
                condition: .unconditional)
            records.append(stored.certificate.record)
        }
        let filters = [
            "thumbprint eq '\(String(format: "%040x", 7_919 * 3))'",
            "startswith(subject, 'cn=api')", "endswith(subject, 'big')", "substringof('_1%', subject)",
            "contains(subject, 'Zür')", "subject eq ''", "subject ge 'CN=Z'",
            "expirationDate lt 2027-01-15T08:00:00Z", "expirationDate ge datetime'2027-02-01T00:00:00'",
            "not (id le 'cert-3') and startswith(id, 'cert-')", "id eq 'CERT-1-1' or thumbprint ne ''",
            "(subject eq 'CN=o''''neil' or subject eq 'cn=zürich') and expirationDate gt 2000-01-01",
        ]
        for text in filters {
            let filter = try ODataFilter(text, dialect: .legacy)
            let expected = records.filter(filter.matches).map(\.certificateId).sorted {
                $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars)
            }
            let page = try await store.list(filter: filter, page: PageRequest(top: 1_000, skip: 0))
            #expect(page.certificates.map(\.record.certificateId) == expected, "\(text)")
            #expect(page.totalCount == expected.count, "\(text)")
            let window = try await store.list(filter: filter, page: PageRequest(top: 2, skip: 1))
            #expect(window.certificates.map(\.record.certificateId) == Array(expected.dropFirst().prefix(2)))
            #expect(window.totalCount == expected.count)
        }
    }

    @Test func keyVaultReferencesKeepNoBytes() async throws {
        let store = try SQLiteCertificateStore(location: .memory)
        let reference = KeyVaultReference(
            secretIdentifier: "https://v.vault.azure.net/secrets/c", identityClientId: "id")
        _ = try await store.put(id: "c1", content: Self.content("CN=a", "AA"), condition: .unconditional)
        _ = try await store.put(id: "c1", content: CertificateContent(keyVault: reference), condition: .unconditional)
        #expect(try await store.certificate(id: "c1")?.keyVault == reference)
        #expect(try await store.pkcs12(id: "c1") == nil)
    }
}
