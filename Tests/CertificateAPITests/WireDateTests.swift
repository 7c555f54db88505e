import CertificateAPI
import Foundation
import Testing

@Suite struct WireDateTests {
    static let sample = Date(timeIntervalSince1970: 1_471_813_842)  // 2016-08-21T21:10:42Z

    @Test(arguments: [
        "2016-08-21T21:10:42Z", "2016-08-21T21:10:42", "2016-08-21T21:10:42z", "2016-08-21T21:10:42.000Z",
        "2016-08-21T21:10:42.0000000Z", "2016-08-21T23:10:42+02:00", "2016-08-21T20:10:42-0100",
        "2016-08-21T21:10:42.0000000",
    ])
    func readsTheSampleInEveryForm(text: String) {
        #expect(WireDate.date(from: text) == Self.sample)
    }

    @Test func readsFractions() throws {
        let date = try #require(WireDate.date(from: "2016-08-21T21:10:42.25Z"))
        #expect(date.timeIntervalSince1970 == 1_471_813_842.25)
        let long = try #require(WireDate.date(from: "2016-08-21T21:10:42.1234567891234Z"))
        #expect(abs(long.timeIntervalSince1970 - 1_471_813_842.123_456_789) < 1e-6)
    }

    @Test func readsDateOnlyAndMinutes() {
        #expect(WireDate.date(from: "2016-08-21") == Date(timeIntervalSince1970: 1_471_737_600))
        #expect(WireDate.date(from: "2016-08-21T21:10") == Date(timeIntervalSince1970: 1_471_813_800))
    }

    @Test(arguments: [
        "", "2016", "2016-08", "2016-8-21T21:10:42Z", "2016-08-21T21:10:42ZZ", "2016-08-21 21:10:42",
        "2016-13-01T00:00:00Z", "2016-02-30T00:00:00Z", "2015-02-29", "2016-08-21T24:00:00Z",
        "2016-08-21T21:60:00Z", "2016-08-21T21:10:60Z", "2016-08-21T21:10:42.Z", "2016-08-21T21:10:42+2",
        "0000-01-01", "２０１６-08-21", "2016-08-21T21:10:42 ", "tomorrow", "2016-08-21T21:10:42+25:00",
    ])
    func rejects(text: String) {
        #expect(WireDate.date(from: text) == nil)
        #expect(throws: CertificateAPIError(.invalidDate, "'\(text)' is not an ISO-8601 date")) {
            try WireDate.parse(text)
        }
    }

    @Test func acceptsLeapDay() {
        #expect(WireDate.date(from: "2016-02-29") != nil)
        #expect(WireDate.date(from: "2000-02-29") != nil)
        #expect(WireDate.date(from: "1900-02-29") == nil)
    }

    @Test func writesWithZAndWholeSeconds() {
        #expect(WireDate.string(from: Self.sample) == "2016-08-21T21:10:42Z")
        #expect(WireDate.string(from: Self.sample.addingTimeInterval(0.9)) == "2016-08-21T21:10:42Z")
        #expect(WireDate.string(from: Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(WireDate.string(from: Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
        #expect(WireDate.string(from: .distantFuture) == "4001-01-01T00:00:00Z")
        #expect(WireDate.string(from: Date(timeIntervalSince1970: 1e13)) == "9999-12-31T23:59:59Z")
        #expect(WireDate.string(from: Date(timeIntervalSince1970: .nan)) == "1970-01-01T00:00:00Z")
        #expect(WireDate.string(from: .distantPast) == "0001-01-01T00:00:00Z")
    }

    @Test func writesRoundTripForm() {
        let date = WireDate.date(from: "2026-12-01T10:00:00Z") ?? .distantPast
        #expect(WireDate.roundTripString(from: date) == "2026-12-01T10:00:00.0000000Z")
        #expect(WireDate.roundTripString(from: date.addingTimeInterval(0.5)) == "2026-12-01T10:00:00.5000000Z")
    }

    @Test func roundTripsOverManyDays() {
        // Every 7,919th day-and-a-bit from year 1 to 9999 reads back to itself.
        var seconds = -62_135_596_800.0
        while seconds < 253_402_300_799 {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(WireDate.date(from: WireDate.string(from: date)) == date)
            #expect(WireDate.date(from: WireDate.roundTripString(from: date)) == date)
            seconds += 7_919 * 86_400 + 3_661
        }
    }
}
