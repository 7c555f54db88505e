import CertificateAPI
import Foundation
import Testing

@Suite struct PageRequestTests {
    @Test func defaults() throws {
        let page = try PageRequest(top: nil, skip: nil)
        #expect(page.top == 100)
        #expect(page.skip == 0)
        #expect(try PageRequest() == page)
    }

    @Test(arguments: [("1", 1), ("1000", 1_000), ("007", 7), ("100", 100)])
    func readsTop(text: String, value: Int) throws {
        #expect(try PageRequest.parseTop(text) == value)
    }

    @Test(arguments: [("0", 0), ("25", 25), ("9223372036854775807", Int.max), ("000", 0)])
    func readsSkip(text: String, value: Int) throws {
        #expect(try PageRequest.parseSkip(text) == value)
    }

    @Test(arguments: [
        ("0", "$top must be at least 1, got '0'"),
        ("00", "$top must be at least 1, got '00'"),
        ("1001", "$top must be at most 1000, got '1001'"),
        ("99999999999999999999999", "$top must be at most 1000, got '99999999999999999999999'"),
        ("-1", "$top must be from 1 to 1000, not negative, got '-1'"),
        ("-0", "$top must be from 1 to 1000, not negative, got '-0'"),
        ("", "$top must be an integer from 1 to 1000, got ''"),
        ("ten", "$top must be an integer from 1 to 1000, got 'ten'"),
        ("+5", "$top must be an integer from 1 to 1000, got '+5'"),
        (" 5", "$top must be an integer from 1 to 1000, got ' 5'"),
        ("5 ", "$top must be an integer from 1 to 1000, got '5 '"),
        ("5.0", "$top must be an integer from 1 to 1000, got '5.0'"),
        ("1e2", "$top must be an integer from 1 to 1000, got '1e2'"),
        ("0x10", "$top must be an integer from 1 to 1000, got '0x10'"),
        ("５", "$top must be an integer from 1 to 1000, got '５'"),
        ("-", "$top must be an integer from 1 to 1000, got '-'"),
        ("--1", "$top must be an integer from 1 to 1000, got '--1'"),
    ])
    func rejectsTop(text: String, message: String) {
        #expect(throws: CertificateAPIError(.invalidTop, message)) { try PageRequest.parseTop(text) }
    }

    @Test(arguments: [
        ("-1", "$skip must not be negative, got '-1'"),
        ("-9223372036854775809", "$skip must not be negative, got '-9223372036854775809'"),
        ("9223372036854775808", "$skip is too large, got '9223372036854775808'"),
        ("99999999999999999999999999", "$skip is too large, got '99999999999999999999999999'"),
        ("", "$skip must be an integer of 0 or more, got ''"),
        ("1,000", "$skip must be an integer of 0 or more, got '1,000'"),
        ("abc", "$skip must be an integer of 0 or more, got 'abc'"),
        ("\u{0}", "$skip must be an integer of 0 or more, got '?'"),
    ])
    func rejectsSkip(text: String, message: String) {
        #expect(throws: CertificateAPIError(.invalidSkip, message)) { try PageRequest.parseSkip(text) }
    }

    @Test func numericInitialiserChecksRanges() {
        #expect(throws: CertificateAPIError.self) { try PageRequest(top: 0) }
        #expect(throws: CertificateAPIError.self) { try PageRequest(top: 1_001) }
        #expect(throws: CertificateAPIError.self) { try PageRequest(skip: -1) }
    }

    @Test func nextSkip() throws {
        #expect(try PageRequest(top: 10, skip: 0).nextSkip(totalCount: 25) == 10)
        #expect(try PageRequest(top: 10, skip: 10).nextSkip(totalCount: 25) == 20)
        #expect(try PageRequest(top: 10, skip: 20).nextSkip(totalCount: 25) == nil)
        #expect(try PageRequest(top: 10, skip: 15).nextSkip(totalCount: 25) == nil)
        #expect(try PageRequest(top: 10, skip: 0).nextSkip(totalCount: 10) == nil)
        #expect(try PageRequest(top: 10, skip: 0).nextSkip(totalCount: 0) == nil)
        #expect(try PageRequest(top: 1_000, skip: Int.max - 5).nextSkip(totalCount: Int.max) == nil)
    }
}

@Suite struct CollectionQueryTests {
    static func query(
        _ apiVersion: String? = "2014-02-14",
        filter: String? = nil,
        top: String? = nil,
        skip: String? = nil,
        dialect: Dialect = .legacy
    ) throws(CertificateAPIError) -> CollectionQuery {
        try CollectionQuery(apiVersion: apiVersion, filter: filter, top: top, skip: skip, dialect: dialect)
    }

    @Test func readsAllParameters() throws {
        let query = try Self.query(filter: "id eq 'a'", top: "5", skip: "10")
        #expect(query.apiVersion == "2014-02-14")
        #expect(query.filter?.text == "id eq 'a'")
        #expect(query.page == (try PageRequest(top: 5, skip: 10)))
    }

    @Test func emptyFilterIsAbsent() throws {
        #expect(try Self.query(filter: "").filter == nil)
        #expect(throws: CertificateAPIError.self) { try Self.query(filter: " ") }
    }

    static func failureCode(
        _ apiVersion: String? = "2014-02-14",
        filter: String? = nil,
        top: String? = nil,
        skip: String? = nil
    ) -> CertificateAPIError.Code? {
        do {
            _ = try query(apiVersion, filter: filter, top: top, skip: skip)
            return nil
        } catch {
            return error.code
        }
    }

    @Test func checksInOrder() {
        #expect(Self.failureCode(nil, filter: "x", top: "0", skip: "-1") == .missingAPIVersion)
        #expect(Self.failureCode("2024-05-01", filter: "x", top: "0", skip: "-1") == .unsupportedAPIVersion)
        #expect(Self.failureCode(filter: "x", top: "0", skip: "-1") == .filterUnknownField)
        #expect(Self.failureCode(filter: "(", top: "0", skip: "-1") == .filterSyntax)
        #expect(Self.failureCode(filter: "id eq 'a'", top: "0", skip: "-1") == .invalidTop)
        #expect(Self.failureCode(filter: "id eq 'a'", top: "1", skip: "-1") == .invalidSkip)
        #expect(Self.failureCode(filter: "name eq 'a'") == .filterUnknownField)
    }

    @Test func buildsNextLink() throws {
        let query = try Self.query(filter: "startswith(subject, 'CN=a b') and id ne 'x&y'", top: "2", skip: "4")
        let link = query.nextLink(collectionURL: "https://svc.example/certificates", totalCount: 10)
        #expect(
            link
                == "https://svc.example/certificates?api-version=2014-02-14"
                + "&$filter=startswith%28subject%2C%20%27CN%3Da%20b%27%29%20and%20id%20ne%20%27x%26y%27"
                + "&$top=2&$skip=6"
        )
        #expect(query.nextLink(collectionURL: "https://svc.example/certificates", totalCount: 6) == nil)
    }

    @Test func nextLinkWithoutFilterRepeatsTheDefaultTop() throws {
        let query = try Self.query("2024-05-01", dialect: .arm)
        let base =
            "https://svc.example/subscriptions/s/resourceGroups/r/providers/Microsoft.ApiManagement/service/a"
            + "/certificates"
        #expect(
            query.nextLink(collectionURL: base, totalCount: 101) == base + "?api-version=2024-05-01&$top=100&$skip=100"
        )
        #expect(query.nextLink(collectionURL: base, totalCount: 100) == nil)
    }

    @Test func nextLinkAppendsToAnExistingQuery() throws {
        let query = try Self.query(top: "1")
        #expect(
            query.nextLink(collectionURL: "https://h/certificates?tenant=x", totalCount: 3)
                == "https://h/certificates?tenant=x&api-version=2014-02-14&$top=1&$skip=1"
        )
    }

    @Test func nextLinkFilterDecodesBackToTheSameText() throws {
        let text = "contains(subject, 'ü+%/?#[]@!$&()*,;=~._-') or id eq 'O''Reilly'"
        let query = try Self.query(filter: text, top: "1")
        let link = try #require(query.nextLink(collectionURL: "https://h/certificates", totalCount: 3))
        let encoded = try #require(link.split(separator: "&").first { $0.hasPrefix("$filter=") })
        #expect(encoded.dropFirst("$filter=".count).removingPercentEncoding == text)
        #expect(!encoded.dropFirst("$filter=".count).contains { "+/?#[]@!$&'()*,;= ".contains($0) })
    }

    @Test func percentEncodesEverythingButUnreserved() {
        #expect(CollectionQuery.percentEncode("AZaz09-._~") == "AZaz09-._~")
        #expect(CollectionQuery.percentEncode(" +'%") == "%20%2B%27%25")
        #expect(CollectionQuery.percentEncode("é") == "%C3%A9")
    }
}
