import CertDropTestSupport
import CertificateAPI
import Foundation
import Testing

@testable import DropPipeline

@Suite struct ServiceEndpointTests {
    @Test func aPlainURLIsLegacy() throws {
        let target = try ServiceEndpoint(service: "https://old.management.azure-api.net/").target(role: "--from")
        #expect(target.dialect == .legacy)
        #expect(target.collectionURL == "https://old.management.azure-api.net/certificates")
        #expect(target.apiVersion == "2014-02-14")
    }

    @Test(arguments: [
        "https://management.azure.com/subscriptions/S/resourceGroups/RG/providers/Microsoft.ApiManagement/service/gw",
        "https://management.azure.com/subscriptions/S/resourcegroups/RG/providers/microsoft.apimanagement/service/gw/",
        "https://management.azure.com/subscriptions/S/resourceGroups/RG/providers/Microsoft.ApiManagement/service/gw"
            + "/certificates",
    ])
    func anARMResourceURLNamesTheScope(url: String) throws {
        let target = try ServiceEndpoint(service: url).target(role: "--to")
        #expect(target.dialect == .arm)
        #expect(target.scope == ARMServiceScope(subscriptionId: "S", resourceGroupName: "RG", serviceName: "gw"))
        #expect(target.baseURL == "https://management.azure.com")
        #expect(
            target.collectionURL
                == "https://management.azure.com/subscriptions/S/resourceGroups/RG/providers/Microsoft.ApiManagement"
                + "/service/gw/certificates")
    }

    @Test func theScopeCanComeFromTheFields() throws {
        let endpoint = ServiceEndpoint(
            service: "http://127.0.0.1:8080", subscription: "s", resourceGroup: "r", instance: "n")
        let target = try endpoint.target(role: "--to")
        #expect(target.dialect == .arm)
        #expect(target.scope?.serviceName == "n")
    }

    @Test(arguments: [
        (ServiceEndpoint(), "no service URL"),
        (ServiceEndpoint(service: "ftp://x"), "not an http"),
        (ServiceEndpoint(service: "http://x", dialect: .arm), "needs the service's resource path"),
        (ServiceEndpoint(service: "http://x", subscription: "s"), "together"),
        (ServiceEndpoint(service: "http://x", apiVersion: "2024-05-01"), "api-version"),
        (
            ServiceEndpoint(
                service: "http://x/subscriptions/S/resourceGroups/RG/providers/Microsoft.ApiManagement/service/gw",
                dialect: .legacy), "cannot be read as legacy"
        ),
    ])
    func badEndpointsAreUsageErrors(endpoint: ServiceEndpoint, message: String) {
        #expect {
            _ = try endpoint.target(role: "--from")
        } throws: { error in
            guard let error = error as? PipelineError else { return false }
            return error.code == .usage && error.message.contains(message)
        }
    }

    @Test func credentialsAreExactlyOneSource() async throws {
        let folder = Fixtures.temporaryFolder("endpoint")
        let token = folder.appendingPathComponent("token").path
        try "abc".write(toFile: token, atomically: true, encoding: .utf8)
        let legacy = ServiceTarget.legacy(baseURL: "http://x")
        #expect(throws: PipelineError.self) { try ServiceEndpoint().credentials(for: legacy, role: "--from") }
        #expect(throws: PipelineError.self) {
            try ServiceEndpoint(tokenFile: token, tokenCommand: "echo x").credentials(for: legacy, role: "--from")
        }
        _ = try ServiceEndpoint(tokenFile: token).credentials(for: legacy, role: "--from")
        // A bare key needs its identifier.
        let key = folder.appendingPathComponent("key").path
        try "secret".write(toFile: key, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
        #expect(throws: PipelineError.self) {
            try ServiceEndpoint(sasKeyFile: key).credentials(for: legacy, role: "--from")
        }
        _ = try ServiceEndpoint(sasId: "integration", sasKeyFile: key).credentials(for: legacy, role: "--from")
        // For ARM a key file must be a CertDrop service's.
        let arm = ServiceTarget.arm(
            baseURL: "http://x", scope: ARMServiceScope(subscriptionId: "s", resourceGroupName: "r", serviceName: "n"))
        #expect(throws: PipelineError.self) { try ServiceEndpoint(sasKeyFile: key).credentials(for: arm, role: "--to") }
        let keyFile = folder.appendingPathComponent("service.keys.json").path
        try #"{"identifier": "integration", "primaryKey": "abc"}"#.write(
            toFile: keyFile, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyFile)
        let bearer = try ServiceEndpoint(sasKeyFile: keyFile).credentials(for: arm, role: "--to")
        #expect(try await bearer.authorization().hasPrefix("Bearer "))
    }

    /// Every client-side reader of a key file refuses one that other users can read, unless told otherwise.
    @Test(arguments: [0o640, 0o604] as [Int])
    func insecureKeyFilesAreRefusedUnlessAllowed(_ mode: Int) async throws {
        let keyFile = Fixtures.temporaryFolder("endpoint").appendingPathComponent("service.keys.json").path
        try #"{"identifier": "integration", "primaryKey": "abc"}"#.write(
            toFile: keyFile, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: keyFile)
        let legacy = ServiceTarget.legacy(baseURL: "http://x")
        let arm = ServiceTarget.arm(
            baseURL: "http://x", scope: ARMServiceScope(subscriptionId: "s", resourceGroupName: "r", serviceName: "n"))
        for target in [legacy, arm] {
            let refused = #expect(throws: PipelineError.self) {
                try ServiceEndpoint(sasKeyFile: keyFile).credentials(for: target, role: "--from")
            }
            #expect(refused?.code == .insecureKeyFile)
            var allowed = ServiceEndpoint(sasKeyFile: keyFile)
            allowed.allowInsecureKeyFile = true
            _ = try allowed.credentials(for: target, role: "--from")
        }
        let refused = #expect(throws: PipelineError.self) {
            try MintedSignatureCredential.fromKeyFile(path: keyFile, identifier: nil)
        }
        #expect(refused?.code == .insecureKeyFile)
        #expect(refused?.message.contains("chmod 600 \(keyFile)") == true)
        _ = try MintedSignatureCredential.fromKeyFile(path: keyFile, identifier: nil, allowInsecure: true)
    }

    @Test func theCommandLineOverridesTheProfile() {
        let profile = ServiceEndpoint(
            service: "http://old", subscription: "s", resourceGroup: "r", instance: "n", tokenCommand: "az token")
        let overridden = profile.overriding(
            service: "http://new/subscriptions/S/resourceGroups/RG/providers/Microsoft.ApiManagement/service/gw",
            dialect: nil, sasKeyFile: nil, tokenFile: "t")
        #expect(overridden.subscription == nil && overridden.instance == nil)
        #expect(overridden.tokenFile == "t" && overridden.tokenCommand == nil)
        let untouched = profile.overriding(service: nil, dialect: nil, sasKeyFile: nil, tokenFile: nil)
        #expect(untouched == profile)
    }

    @Test func aProfileNamesFilesRelativeToItself() throws {
        let folder = Fixtures.temporaryFolder("profile")
        let path = folder.appendingPathComponent("migration.json").path
        try """
        { "from": { "service": "http://127.0.0.1:1", "sasKeyFile": "a.keys.json" },
          "to": { "service": "http://127.0.0.1:2/subscriptions/s/resourceGroups/r/providers/Microsoft.ApiManagement/service/n",
                  "tokenFile": "/abs/token", "caFile": "ca/root.pem" } }
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let profile = try MigrationProfile.load(path: path)
        #expect(profile.from?.sasKeyFile == folder.appendingPathComponent("a.keys.json").standardized.path)
        #expect(profile.to?.tokenFile == "/abs/token")
        #expect(profile.to?.caFile == folder.appendingPathComponent("ca/root.pem").standardized.path)
        #expect(try profile.to?.target(role: "--to").dialect == .arm)
    }

    @Test(arguments: [
        #"{ "from": { "service": "http://x", "sasKey": "s3cret" } }"#,
        #"{ "from": { "servise": "http://x" } }"#,
        #"{ "source": { "service": "http://x" } }"#,
        #"{ "from": { "dialect": "soap" } }"#,
        "not json",
    ])
    func aBadProfileIsAUsageError(text: String) throws {
        let path = Fixtures.temporaryFolder("profile").appendingPathComponent("p.json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            _ = try MigrationProfile.load(path: path)
        } throws: { error in
            guard let error = error as? PipelineError else { return false }
            // The message never repeats a secret.
            return error.code == .usage && !error.message.contains("s3cret")
        }
    }
}

@Suite struct ReportTests {
    private func certificate(_ id: String, _ thumbprint: String, keyVault: String? = nil) -> RemoteCertificate {
        RemoteCertificate(
            record: CertificateRecord(
                certificateId: id, subject: "CN=\(id)", thumbprint: thumbprint, expirationDate: Date.distantFuture),
            path: "/certificates/\(id)", keyVault: keyVault.map { KeyVaultReference(secretIdentifier: $0) })
    }

    @Test func diffComparesByIdWithoutCaseAndByThumbprint() {
        let report = DiffReport(
            source: [
                certificate("A", "AA"), certificate("b", "BB"), certificate("c", "CC"),
                certificate("kv", "", keyVault: "s"),
            ],
            target: [
                certificate("a", "aa"), certificate("b", "B2"), certificate("d", "DD"),
                certificate("KV", "", keyVault: "s"),
            ])
        #expect(
            report.rows.map { "\($0.id) \($0.state.rawValue)" } == [
                "A same", "b different", "c only-in-source", "d only-in-target", "kv same",
            ])
        #expect(report.exitStatus == 1)
        #expect(report.summaryText == "5 ids: 2 same, 1 different, 1 only-in-source, 1 only-in-target")
        let table = report.render(json: false, all: false)
        #expect(!table.contains("same ") && table.contains("only-in-source"))
        let json = report.render(json: true, all: true)
        let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect((object?["rows"] as? [Any])?.count == 5)
        #expect(DiffReport(source: [certificate("a", "AA")], target: [certificate("a", "AA")]).exitStatus == 0)
    }

    @Test func verifyReadsWhatAManifestPutOrTriedToPut() throws {
        let path = Fixtures.temporaryFolder("verify").appendingPathComponent("m.jsonl").path
        let writer = try ManifestWriter(path: path)
        func line(_ source: String, _ id: String?, _ thumbprint: String?, _ action: ImportAction) {
            writer.write(
                ManifestEntry(
                    source: source, id: id, thumbprint: thumbprint, subject: nil, expirationDate: nil, action: action))
        }
        line("a.pfx", "a", "AA", .failed)
        line("a.pfx", "a", "AA", .created)  // a resumed run settled it
        line("b.pfx", "b", "BB", .conflict)
        line("c.pfx", "c", "CC", .unchanged)
        line("d.pfx", "d", "DD", .invalid)
        line("/certificates/e", "e", "EE", .missingPFX)
        line("f.pfx", nil, "FF", .unmatched)
        line("g.pfx", "g", "GG", .created)
        line("g2.pfx", "g", "G2", .invalid)  // a duplicate id, not uploaded
        try writer.finish(ImportSummary())
        let expected = try VerifyReport.expectations(manifestPath: path)
        #expect(expected.map { "\($0.id) \($0.thumbprint ?? "-")" } == ["a AA", "b BB", "c CC", "g GG"])
        let report = VerifyReport(
            expectations: expected,
            target: [certificate("A", "aa"), certificate("b", "B2"), certificate("g", "GG")])
        #expect(report.rows.map { "\($0.id) \($0.state.rawValue)" } == ["a ok", "b different", "c missing", "g ok"])
        #expect(report.exitStatus == 1)
        #expect(report.summaryText == "incomplete: 4 ids checked: 2 ok, 1 missing, 1 different")
    }

    @Test func settledSourcesWaitForEveryIdOfASource() throws {
        let path = Fixtures.temporaryFolder("settled").appendingPathComponent("m.jsonl").path
        let writer = try ManifestWriter(path: path)
        func line(_ source: String, _ id: String?, _ action: ImportAction) {
            writer.write(
                ManifestEntry(
                    source: source, id: id, thumbprint: nil, subject: nil, expirationDate: nil, action: action))
        }
        line("x.pfx", "one", .failed)
        line("x.pfx", "two", .created)
        line("y.pfx", "three", .created)
        line("y.pfx", "four", .unchanged)
        line("z.pfx", nil, .unmatched)
        line("/certificates/k", "k", .created)
        #expect(try MigrationRun.settledSources(path: path) == ["y.pfx", "/certificates/k"])
        line("x.pfx", "one", .created)
        #expect(try MigrationRun.settledSources(path: path) == ["x.pfx", "y.pfx", "/certificates/k"])
    }
}

@Suite struct MigrationProfileCapTests {
    @Test(arguments: [(0, true), (1, false)])
    func aProfileIsCappedByTheBytesRead(extra: Int, fits: Bool) throws {
        let folder = Fixtures.temporaryFolder("profile")
        let path = folder.appendingPathComponent("p.json").path
        let body = "{}" + String(repeating: " ", count: MigrationProfile.maxBytes - 2 + extra)
        try Data(body.utf8).write(to: URL(fileURLWithPath: path))
        if fits {
            _ = try MigrationProfile.load(path: path)
        } else {
            #expect(throws: PipelineError.self) { try MigrationProfile.load(path: path) }
        }
    }

    @Test func aDeviceIsNoProfile() {
        #expect(throws: PipelineError.self) { try MigrationProfile.load(path: "/dev/zero") }
    }
}
