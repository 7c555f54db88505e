import CertDropTestSupport
import Foundation
import Testing

/// Every numeric option of every command, at and beyond its edges (see `NumericBounds`).
@Suite(.serialized) struct NumericOptionTests {
    /// Every numeric option rejects what is not finite or out of its range with a usage error, never a crash.
    @Test(arguments: [
        ["import", ".", "--timeout", "inf"],
        ["import", ".", "--timeout", "nan"],
        ["import", ".", "--timeout", "-1"],
        ["import", ".", "--timeout", "1e300"],
        ["import", ".", "--timeout", "0.5"],
        ["import", ".", "--timeout", "86400.5"],
        ["import", ".", "--max-attempts", "0"],
        ["import", ".", "--max-attempts", "101"],
        ["import", ".", "--concurrency", "0"],
        ["import", ".", "--concurrency", "257"],
        ["import", ".", "--concurrency", "99999999999999999999999"],
        ["list", "--timeout", "inf"],
        ["verify", "--manifest", "m", "--timeout", "nan"],
        ["diff", "--from", "http://127.0.0.1:1", "--to", "http://127.0.0.1:1", "--timeout", "inf"],
        ["diff", "--from", "http://127.0.0.1:1", "--to", "http://127.0.0.1:1", "--max-attempts", "-3"],
        ["validate", ".", "--min-days", "36501"],
        ["validate", ".", "--min-days", "-1"],
        ["validate", ".", "--max-iterations", "0"],
        ["validate", ".", "--max-iterations", "2147483648"],
        ["validate", ".", "--max-entry-bytes", "0"],
        ["validate", ".", "--max-entry-bytes", "1073741825"],
        ["validate", ".", "--max-archive-bytes", "9223372036854775807"],
        ["validate", ".", "--max-entries", "0"],
        ["validate", ".", "--max-depth", "17"],
        ["serve", "--port", "65536"],
        ["serve", "--fail-rate", "nan"],
        ["serve", "--fail-rate", "1.01"],
        ["serve", "--drop-rate", "-0.1"],
        ["serve", "--throttle", "inf"],
        ["serve", "--latency", "-1"],
        ["serve", "--latency", "600001"],
        ["serve", "--max-iterations", "0"],
        ["serve", "--idle-timeout", "0"],
        ["serve", "--header-timeout", "inf"],
        ["serve", "--body-timeout", "86401"],
        ["serve", "--max-connections", "0"],
        ["serve", "--pkcs12-workers", "1025"],
        ["serve", "--pkcs12-queue", "-1"],
        ["validate", ".", "--max-certificates", "0"],
        ["validate", ".", "--max-certificates", "1000001"],
        ["validate", ".", "--max-bags", "0"],
        ["validate", ".", "--max-derivations", "1"],
        ["validate", ".", "--max-derivations", "100001"],
        ["token", "--ttl", "0"],
        ["token", "--ttl", "315360001"],
    ])
    func numericOptionsOutOfRangeAreUsageErrors(arguments: [String]) {
        let result = certdrop(arguments)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(!result.stderr.isEmpty)
    }

    /// The edges themselves are accepted.
    @Test(arguments: [
        ["--min-days", "36500"], ["--min-days", "0"], ["--max-iterations", "2147483647"], ["--max-iterations", "1"],
        ["--max-entry-bytes", "1073741824"], ["--max-entry-bytes", "1"], ["--max-depth", "16"], ["--max-entries", "1"],
        ["--max-archive-bytes", "68719476736"], ["--max-certificates", "1"], ["--max-certificates", "1000000"],
        ["--max-bags", "1"], ["--max-derivations", "2"], ["--max-derivations", "100000"],
    ])
    func numericOptionsAtTheirEdgesAreAccepted(arguments: [String]) {
        let folder = Fixtures.temporaryFolder("edges")
        let result = certdrop(["validate", folder.path] + arguments)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
    }

    @Test(arguments: ["1", "86400"])
    func timeoutsAtTheirEdgesAreAccepted(timeout: String) {
        let home = Fixtures.temporaryFolder("home")
        let result = certdrop(["list", "--timeout", timeout], environment: ["CERTDROP_HOME": home.path])
        #expect(result.status == 0, "\(result.stderr)")
    }
}
