import CertDropTestSupport
import Foundation
import Testing

/// Runs the built `certdrop` executable, as users and CI do.
func certdrop(_ arguments: [String], input: Data? = nil, environment: [String: String] = [:])
    -> (status: Int32, stdout: String, stderr: String)
{
    let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("certdrop").path
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "CERTDROP_PASSWORD")
    env.merge(environment) { $1 }
    let result = Fixtures.output([executable] + arguments, input: input, environment: env)
    return (
        result.status, String(decoding: result.stdout, as: UTF8.self), String(decoding: result.stderr, as: UTF8.self)
    )
}

@Suite struct CommandLineTests {
    private var map: String { Fixtures.path("passwords.json") }

    @Test func validateExitsOneWhenAnItemHasAnError() {
        let result = certdrop(["validate", Fixtures.directory.path, "--passwords", map])
        #expect(result.status == 1)
        #expect(result.stdout.contains("wrong-password"))
    }

    @Test func validateExitsZeroOnAGoodDrop() {
        let result = certdrop(["validate", Fixtures.path("ec-p256.pfx"), "--passwords", map])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    @Test func failOnWarning() {
        let lenient = certdrop(["validate", Fixtures.path("rsa-legacy.pfx"), "--passwords", map])
        #expect(lenient.status == 0)
        let strict = certdrop(["validate", Fixtures.path("rsa-legacy.pfx"), "--passwords", map, "--fail-on", "warning"])
        #expect(strict.status == 1)
    }

    @Test(arguments: [
        ["validate"],
        ["validate", "/nonexistent/drop"],
        ["validate", ".", "--format", "yaml"],
        ["validate", ".", "--password", "secret"],
        ["validate", ".", "--id-template", "{bad}"],
        ["validate", ".", "--min-days", "-1"],
        ["validate", ".", "--passwords", "/nonexistent/map.json"],
        ["frobnicate"],
    ])
    func usageAndInputErrorsExitTwo(arguments: [String]) {
        let result = certdrop(arguments)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(!result.stderr.isEmpty)
    }

    @Test func passwordFromStandardInput() {
        let without = certdrop(["validate", Fixtures.path("rsa-3des.pfx")])
        #expect(without.status == 1)
        let with = certdrop(
            ["validate", Fixtures.path("rsa-3des.pfx"), "--password-stdin"], input: Data("3des-pw\n".utf8))
        #expect(with.status == 0, "\(with.stdout)")
    }

    @Test func passwordFromEnvironmentAndFile() throws {
        let env = certdrop(["validate", Fixtures.path("java-aes.pfx")], environment: ["CERTDROP_PASSWORD": "java-pw"])
        #expect(env.status == 0)
        let folder = Fixtures.temporaryFolder("cli")
        let file = folder.appendingPathComponent("pw")
        try Data("java-pw\n".utf8).write(to: file)
        let fromFile = certdrop(["validate", Fixtures.path("java-aes.pfx"), "--password-file", file.path])
        #expect(fromFile.status == 0)
    }

    @Test func jsonToAFile() throws {
        let folder = Fixtures.temporaryFolder("cli")
        let output = folder.appendingPathComponent("report.json").path
        let result = certdrop([
            "validate", Fixtures.directory.path, "--passwords", map, "--format", "json", "-o", output,
        ])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        let data = try Data(contentsOf: URL(fileURLWithPath: output))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        #expect((object?["items"] as? [Any])?.isEmpty == false)
    }

    @Test func inspectDumpsEverything() {
        let result = certdrop(["inspect", Fixtures.path("rsa-default.pfx"), "--passwords", map])
        #expect(result.status == 0)
        for needle in [
            "subject: CN=rsa-default.certdrop.test, O=CertDrop Test", "thumbprint (SHA-1): ",
            "MAC: SHA256, 2048 iterations",
            "friendly name: rsa default", "key: RSA 2048 bits", "other certificates:", "password: candidate #1",
        ] {
            #expect(result.stdout.contains(needle), "missing \(needle)")
        }
        #expect(!result.stdout.contains("rsa-default-pw"))
        let json = certdrop(["inspect", Fixtures.path("rsa-default.pfx"), "--passwords", map, "--format", "json"])
        #expect((try? JSONSerialization.jsonObject(with: Data(json.stdout.utf8))) != nil)
    }
}
