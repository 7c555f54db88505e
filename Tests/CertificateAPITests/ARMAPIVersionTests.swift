import CertificateAPI
import Foundation
import Testing

/// The table of ARM api-versions and the Key Vault members that only some of them define.
@Suite struct ARMAPIVersionTests {
    @Test func theTableRunsFrom2016To2025OldestFirstWithoutRepeats() {
        let names = Dialect.armAPIVersions.map(\.name)
        #expect(names.first == "2016-10-10")
        #expect(names.last == "2025-03-01-preview")
        #expect(names.count == 23)
        #expect(Set(names).count == names.count)
        // Oldest first: by date, a preview before the stable release of the same date.
        let keys = names.map { ($0.prefix(10), $0.hasSuffix("-preview") ? 0 : 1) }
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 < $1 })
        #expect(Dialect.arm.supportedAPIVersions == names)
        for row in Dialect.armAPIVersions {
            let folder = row.isPreview ? "preview" : "stable"
            #expect(row.specification == "\(folder)/\(row.name)/apimcertificates.json")
        }
    }

    @Test func keyVaultStartsWith2020Preview() {
        #expect(Dialect.firstKeyVaultAPIVersion == "2020-06-01-preview")
        let split = Dialect.armAPIVersions.firstIndex { $0.hasKeyVault } ?? 0
        #expect(Dialect.armAPIVersions[..<split].allSatisfy { !$0.hasKeyVault })
        #expect(Dialect.armAPIVersions[split...].allSatisfy { $0.hasKeyVault && $0.listsCount })
        #expect(Dialect.armAPIVersion("2019-12-01")?.hasKeyVault == false)
        #expect(Dialect.armAPIVersion("2020-06-01-preview")?.hasKeyVault == true)
    }

    @Test func onlyTheFirstVersionIsFlatAndTheFirstTwoDeleteWith204() {
        #expect(Dialect.armAPIVersions.filter { $0.shape == .flat }.map(\.name) == ["2016-10-10"])
        #expect(Dialect.armAPIVersions.filter(\.deleteAnswersNoContent).map(\.name) == ["2016-10-10", "2017-03-01"])
        #expect(Dialect.armAPIVersion("2016-10-10")?.listsCount == true)
        #expect(Dialect.armAPIVersion("2017-03-01")?.listsCount == false)
        #expect(Dialect.armAPIVersion("2019-12-01")?.listsCount == false)
    }

    @Test(arguments: ["2016-07-07", "2024-05-01-PREVIEW", "2024-05-01 ", "2025-03-01", ""])
    func otherNamesHaveNoRow(_ name: String) {
        #expect(Dialect.armAPIVersion(name) == nil)
        #expect(!Dialect.arm.supports(apiVersion: name))
    }
}

@Suite struct KeyVaultRefreshQueryTests {
    static func query(_ value: String?, version: String = "2024-05-01") throws(CertificateAPIError)
        -> CollectionQuery
    {
        try CollectionQuery(
            apiVersion: version, filter: nil, top: "2", skip: "0", keyVaultRefreshFailed: value, dialect: .arm)
    }

    static func code(_ body: () throws(CertificateAPIError) -> CollectionQuery) -> CertificateAPIError.Code? {
        do {
            _ = try body()
            return nil
        } catch {
            return error.code
        }
    }

    @Test(arguments: [("true", true), ("TRUE", true), ("False", false), ("false", false)])
    func readsTrueAndFalseInAnyCase(_ text: String, expected: Bool) throws {
        #expect(try Self.query(text).keyVaultRefreshFailed == expected)
    }

    @Test func absentMeansFalse() throws {
        #expect(try Self.query(nil).keyVaultRefreshFailed == false)
        #expect(try Self.query(nil, version: "2019-12-01").keyVaultRefreshFailed == false)
    }

    @Test(arguments: ["", "1", "yes", " true", "tru"])
    func refusesOtherValues(_ text: String) {
        #expect(Self.code { () throws(CertificateAPIError) in try Self.query(text) } == .invalidKeyVaultRefreshFailed)
    }

    @Test(arguments: ["2019-12-01", "2016-10-10"])
    func isNotDefinedBefore2020(_ version: String) {
        #expect(
            Self.code { () throws(CertificateAPIError) in try Self.query("true", version: version) } == .notInAPIVersion
        )
        #expect(CertificateAPIError.Code.notInAPIVersion.target == "api-version")
        #expect(CertificateAPIError.Code.invalidKeyVaultRefreshFailed.target == "isKeyVaultRefreshFailed")
    }

    @Test(arguments: ["false", "yes", ""])
    func whereItIsNotDefinedOnlyTrueIsRefused(_ text: String) throws {
        #expect(try Self.query(text, version: "2019-12-01").keyVaultRefreshFailed == false)
        let legacy = try CollectionQuery(
            apiVersion: "2014-02-14", filter: nil, top: nil, skip: nil, keyVaultRefreshFailed: text, dialect: .legacy)
        #expect(legacy.keyVaultRefreshFailed == false)
    }

    @Test func isNotDefinedInTheLegacyDialect() {
        let code = Self.code { () throws(CertificateAPIError) in
            try CollectionQuery(
                apiVersion: "2014-02-14", filter: nil, top: nil, skip: nil, keyVaultRefreshFailed: "TRUE",
                dialect: .legacy)
        }
        #expect(code == .notInAPIVersion)
    }

    @Test func nextLinkCarriesItLast() throws {
        let link = try Self.query("true").nextLink(collectionURL: "https://h/c", totalCount: 3)
        #expect(link == "https://h/c?api-version=2024-05-01&$top=2&$skip=2&isKeyVaultRefreshFailed=true")
        let without = try Self.query("false").nextLink(collectionURL: "https://h/c", totalCount: 3)
        #expect(without == "https://h/c?api-version=2024-05-01&$top=2&$skip=2")
    }
}

@Suite struct KeyVaultStatusTests {
    static let scope = ARMServiceScope(subscriptionId: "s", resourceGroupName: "r", serviceName: "a")
    static let record = CertificateRecord(
        certificateId: "kv", subject: "CN=a", thumbprint: "T", expirationDate: Date(timeIntervalSince1970: 0))

    @Test func encodesLastStatusInsideKeyVaultWithSevenFractionDigits() throws {
        let reference = KeyVaultReference(
            secretIdentifier: "https://v.vault.azure.net/secrets/c", identityClientId: "i")
        let status = KeyVaultStatus(
            code: KeyVaultStatus.success, timeStampUtc: Date(timeIntervalSince1970: 1_600_734_293.3191468))
        let resource = ARMCertificateResource(
            Self.record, scope: Self.scope, keyVault: reference, keyVaultStatus: status)
        let json = try JSONTesting.encode(resource)
        #expect(
            json.contains(
                #""keyVault":{"identityClientId":"i","lastStatus":{"code":"Success","#
                    + #""timeStampUtc":"2020-09-22T00:24:53.3191468Z"},"#
                    + #""secretIdentifier":"https://v.vault.azure.net/secrets/c"}"#))
        let back = try JSONTesting.decode(ARMCertificateResource.self, json)
        #expect(back.properties.keyVault == reference)
        #expect(back.properties.keyVaultStatus?.code == "Success")
        #expect(back.properties.keyVaultStatus?.message == nil)
    }

    @Test func aFailureCarriesItsMessage() throws {
        let status = KeyVaultStatus(code: KeyVaultStatus.failed, message: "gone", timeStampUtc: nil)
        #expect(status.isFailure)
        let json = try JSONTesting.encode(status)
        #expect(json == #"{"code":"Failed","message":"gone"}"#)
        #expect(try JSONTesting.decode(KeyVaultStatus.self, "{}") == KeyVaultStatus(code: "", timeStampUtc: nil))
    }

    @Test func aStatusWithoutAReferenceIsDropped() throws {
        let status = KeyVaultStatus(code: KeyVaultStatus.failed, timeStampUtc: nil)
        let resource = ARMCertificateResource(Self.record, scope: Self.scope, keyVaultStatus: status)
        #expect(resource.properties.keyVaultStatus == nil)
        #expect(!(try JSONTesting.encode(resource)).contains("lastStatus"))
    }
}
