import CertificateAPI
import Testing

@Suite struct DialectTests {
    @Test(arguments: [
        (Dialect.legacy, "2014-02-14-preview"), (.legacy, "2014-02-14"), (.arm, "2021-08-01"), (.arm, "2022-08-01"),
        (.arm, "2023-05-01-preview"), (.arm, "2024-05-01"),
    ])
    func acceptsSupportedVersions(dialect: Dialect, version: String) throws {
        #expect(try dialect.validateAPIVersion(version) == version)
        #expect(dialect.supports(apiVersion: version))
    }

    @Test(arguments: [
        (Dialect.legacy, "2024-05-01"), (.arm, "2014-02-14"), (.legacy, "2014-02-14-PREVIEW"), (.arm, " 2024-05-01"),
        (.legacy, "latest"),
    ])
    func rejectsOtherVersions(dialect: Dialect, version: String) {
        #expect(throws: CertificateAPIError.self) { try dialect.validateAPIVersion(version) }
        do {
            _ = try dialect.validateAPIVersion(version)
        } catch {
            #expect(error.code == .unsupportedAPIVersion)
            #expect(error.message.contains(dialect.supportedAPIVersions[0]))
            #expect(error.code.wireCode == .validationError)
            #expect(error.code.target == "api-version")
        }
    }

    @Test(arguments: [nil, ""] as [String?])
    func rejectsMissingVersion(version: String?) {
        for dialect in Dialect.allCases {
            do {
                _ = try dialect.validateAPIVersion(version)
                Issue.record("accepted a missing api-version")
            } catch {
                #expect(error.code == .missingAPIVersion)
            }
        }
    }

    @Test func identifierRulesDifferByDialect() {
        #expect(Dialect.legacy.maximumIdentifierLength == 256)
        #expect(Dialect.arm.maximumIdentifierLength == 80)
        #expect(Dialect.legacy.forbiddenIdentifierCharacters.isEmpty)
        #expect(Dialect.arm.forbiddenIdentifierCharacters == ["*", "#", "&", "+", ":", "<", ">", "?"])
        #expect(Dialect.legacy.identifierFieldName == "id")
        #expect(Dialect.arm.identifierFieldName == "name")
    }
}

/// The api-version a client sends unless told otherwise: the newest that is not a preview.
@Suite struct DefaultAPIVersionTests {
    @Test func eachDialectDefaultsToItsNewestStableVersion() {
        #expect(Dialect.legacy.defaultAPIVersion == "2014-02-14")
        #expect(Dialect.arm.defaultAPIVersion == "2024-05-01")
        for dialect in Dialect.allCases {
            #expect(dialect.supports(apiVersion: dialect.defaultAPIVersion))
            let later = dialect.supportedAPIVersions.drop { $0 != dialect.defaultAPIVersion }.dropFirst()
            #expect(later.allSatisfy { $0.hasSuffix("-preview") })
        }
    }
}
