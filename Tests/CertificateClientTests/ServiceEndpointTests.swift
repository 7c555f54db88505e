import CertDropTestSupport
import CertificateAPI
import Foundation
import Testing

@testable import CertificateClient

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
            guard let error = error as? ClientError else { return false }
            return error.code == .usage && error.message.contains(message)
        }
    }

    @Test func credentialsAreExactlyOneSource() async throws {
        let folder = Fixtures.temporaryFolder("endpoint")
        let token = folder.appendingPathComponent("token").path
        try "abc".write(toFile: token, atomically: true, encoding: .utf8)
        let legacy = ServiceTarget.legacy(baseURL: "http://x")
        #expect(throws: ClientError.self) { try ServiceEndpoint().credentials(for: legacy, role: "--from") }
        #expect(throws: ClientError.self) {
            try ServiceEndpoint(tokenFile: token, tokenCommand: "echo x").credentials(for: legacy, role: "--from")
        }
        _ = try ServiceEndpoint(tokenFile: token).credentials(for: legacy, role: "--from")
        // A bare key needs its identifier.
        let key = folder.appendingPathComponent("key").path
        try "secret".write(toFile: key, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
        #expect(throws: ClientError.self) {
            try ServiceEndpoint(sasKeyFile: key).credentials(for: legacy, role: "--from")
        }
        _ = try ServiceEndpoint(sasId: "integration", sasKeyFile: key).credentials(for: legacy, role: "--from")
        // For ARM a key file must be a CertDrop service's.
        let arm = ServiceTarget.arm(
            baseURL: "http://x", scope: ARMServiceScope(subscriptionId: "s", resourceGroupName: "r", serviceName: "n"))
        #expect(throws: ClientError.self) { try ServiceEndpoint(sasKeyFile: key).credentials(for: arm, role: "--to") }
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
            let refused = #expect(throws: ClientError.self) {
                try ServiceEndpoint(sasKeyFile: keyFile).credentials(for: target, role: "--from")
            }
            #expect(refused?.code == .insecureKeyFile)
            var allowed = ServiceEndpoint(sasKeyFile: keyFile)
            allowed.allowInsecureKeyFile = true
            _ = try allowed.credentials(for: target, role: "--from")
        }
        let refused = #expect(throws: ClientError.self) {
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
}
