import CertDropTestSupport
import Foundation
import Testing

/// `scripts/make-expiring-sample.sh`: the "expiring soon" sample, made relative to the day it runs.
@Suite struct ExpiringSampleTests {
    private struct Place {
        let drop: URL
        let passwords: URL
        var file: URL { drop.appendingPathComponent("vpn-gateway.pfx") }
    }

    private func place() throws -> Place {
        let folder = Fixtures.temporaryFolder("sample")
        let drop = folder.appendingPathComponent("drop")
        let passwords = folder.appendingPathComponent("passwords.json")
        try JSONSerialization.data(withJSONObject: ["vpn-gateway.pfx": "soon-pw"]).write(to: passwords)
        return Place(drop: drop, passwords: passwords)
    }

    @discardableResult
    private func make(_ place: Place, validDays: Int? = nil) -> Int32 {
        var environment = ProcessInfo.processInfo.environment
        environment["SAMPLE_DROP"] = place.drop.path
        environment["SAMPLE_PASSWORDS"] = place.passwords.path
        if let validDays { environment["VALID_DAYS"] = String(validDays) }
        let script = Fixtures.repositoryRoot.appendingPathComponent("scripts/make-expiring-sample.sh").path
        return Fixtures.output(["/bin/bash", script], environment: environment).status
    }

    private func bytes(_ place: Place) throws -> Data { try Data(contentsOf: place.file) }

    @Test func aMissingSampleIsMadeExpiringSoonAndThenKept() throws {
        let place = try place()
        #expect(make(place) == 0)
        let first = try bytes(place)
        let result = certdrop(
            ["validate", place.drop.path, "--passwords", place.passwords.path, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let item = try #require((object["items"] as? [[String: Any]])?.first)
        #expect(item["verdict"] as? String == "warning")
        #expect((item["problems"] as? [[String: Any]])?.map { $0["code"] as? String } == ["expiring-soon"])
        // Made again the same day: the same file, so a second import finds it unchanged.
        #expect(make(place) == 0)
        #expect(try bytes(place) == first)
    }

    @Test(arguments: [(9, true), (11, false)])
    func renewedOnlyWithinTenDaysOfItsEnd(validDays: Int, renewed: Bool) throws {
        let place = try place()
        #expect(make(place, validDays: validDays) == 0)
        let first = try bytes(place)
        #expect(make(place) == 0)
        #expect((try bytes(place) != first) == renewed)
    }

    @Test func aSampleThatCannotBeOpenedIsMadeAnew() throws {
        let place = try place()
        try FileManager.default.createDirectory(at: place.drop, withIntermediateDirectories: true)
        try Data("not a pfx".utf8).write(to: place.file)
        #expect(make(place) == 0)
        #expect(try bytes(place) != Data("not a pfx".utf8))
    }
}
