import CertDropTestSupport
import Foundation
import Testing

@testable import DropPipeline

/// The README's "Targets" table is the profiles' table, sources included.
@Suite struct TargetProfileTests {
    @Test func theReadmeTableIsTheCodeTable() throws {
        let readme = try String(
            contentsOf: Fixtures.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "\n## Targets (`--target`)\n").dropFirst().first)
        let table = section.components(separatedBy: "\n## ")[0]
        let rows = table.split(separator: "\n").filter { $0.hasPrefix("| `") }.map(String.init)
        let expected = TargetProfile.all.map(\.readmeRow)
        #expect(rows == expected, "README rows:\n\(expected.joined(separator: "\n"))")
    }

    @Test func namesAreUniqueAndFound() {
        #expect(Set(TargetProfile.all.map(\.name)).count == TargetProfile.all.count)
        for profile in TargetProfile.all { #expect(TargetProfile.named(profile.name) == profile) }
        #expect(TargetProfile.named("windows-2012") == nil)
    }

    @Test func everyFactHasASource() {
        for profile in TargetProfile.all {
            for source in [
                profile.sources.encryption, profile.sources.mac, profile.sources.iterations, profile.sources.keys,
            ] {
                #expect(
                    source.contains("https://") || source.contains("not found; assumed") || source.hasPrefix("any"),
                    "\(profile.name): \(source)")
            }
        }
    }

    @Test func everyTargetReadsTheTripleDESExport() {
        for profile in TargetProfile.all {
            #expect(TargetCompatibilityRule.allRead([profile], .tripleDES), "\(profile.name)")
        }
        #expect(TargetCompatibilityRule.encryption(for: [TargetProfile.windows2016]) == .tripleDES)
        #expect(
            TargetCompatibilityRule.encryption(for: [TargetProfile.windows2019, TargetProfile.publicTLS]) == .aes256)
    }
}
