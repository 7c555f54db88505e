import CertificateAPI
import Foundation
import Testing

@Suite struct ARMCertificateResourceTests {
    static let scope = ARMServiceScope(subscriptionId: "sub1", resourceGroupName: "rg1", serviceName: "apimService1")
    static let path = "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1"
    static let expiration = Date(timeIntervalSince1970: 1_471_813_842)

    static let sample = """
        {
          "id": "\(path)/certificates/tempcert",
          "type": "Microsoft.ApiManagement/service/certificates",
          "name": "tempcert",
          "properties": {
            "subject": "CN=contoso.com",
            "thumbprint": "EBA******************************48594A6",
            "expirationDate": "2016-08-21T21:10:42Z"
          }
        }
        """

    static let keyVaultSample = """
        {
          "id": "\(path)/certificates/templateCertkv",
          "type": "Microsoft.ApiManagement/service/certificates",
          "name": "templateCertkv",
          "properties": {
            "subject": "CN=*.msitesting.net",
            "thumbprint": "EA**********************************9AE",
            "expirationDate": "2037-01-01T07:00:00Z",
            "keyVault": {
              "secretIdentifier": "https://rpbvtkeyvaultintegration.vault.azure.net/secrets/msitestingCert",
              "identityClientId": "ceaa6b06-c00f-43ef-99ac-f53d1fe876a0",
              "lastStatus": { "code": "Success", "timeStampUtc": "2020-09-22T00:24:53.3191468Z" }
            }
          }
        }
        """

    @Test func scopeBuildsPaths() {
        #expect(Self.scope.servicePath == Self.path)
        #expect(Self.scope.collectionPath == Self.path + "/certificates")
        #expect(Self.scope.resourceID(certificateId: "c1") == Self.path + "/certificates/c1")
    }

    @Test func decodesTheSample() throws {
        let resource = try JSONTesting.decode(ARMCertificateResource.self, Self.sample)
        #expect(resource.id == Self.path + "/certificates/tempcert")
        #expect(resource.type == ARMCertificateResource.resourceType)
        #expect(resource.name == "tempcert")
        #expect(resource.properties.subject == "CN=contoso.com")
        #expect(resource.properties.expirationDate == Self.expiration)
        #expect(resource.properties.keyVault == nil)
        #expect(resource.record.certificateId == "tempcert")
    }

    @Test func decodesTheKeyVaultSample() throws {
        let resource = try JSONTesting.decode(ARMCertificateResource.self, Self.keyVaultSample)
        #expect(
            resource.properties.keyVault
                == KeyVaultReference(
                    secretIdentifier: "https://rpbvtkeyvaultintegration.vault.azure.net/secrets/msitestingCert",
                    identityClientId: "ceaa6b06-c00f-43ef-99ac-f53d1fe876a0"
                )
        )
    }

    @Test func rendersARecord() throws {
        let record = CertificateRecord(
            certificateId: "tempcert",
            subject: "CN=contoso.com",
            thumbprint: "EBA******************************48594A6",
            expirationDate: Self.expiration
        )
        let resource = ARMCertificateResource(record, scope: Self.scope)
        #expect(resource == (try JSONTesting.decode(ARMCertificateResource.self, Self.sample)))
        let json = try JSONTesting.encode(resource)
        #expect(try JSONTesting.object(json) == JSONTesting.object(Self.sample))
        #expect(!json.contains("keyVault"))
        #expect(resource.record == record)
    }

    @Test func encodesKeyVault() throws {
        let record = CertificateRecord(
            certificateId: "kv", subject: "CN=a", thumbprint: "T", expirationDate: Self.expiration)
        let reference = KeyVaultReference(secretIdentifier: "https://v.vault.azure.net/secrets/c")
        let json = try JSONTesting.encode(ARMCertificateResource(record, scope: Self.scope, keyVault: reference))
        #expect(json.contains(#""keyVault":{"secretIdentifier":"https://v.vault.azure.net/secrets/c"}"#))
        let back = try JSONTesting.decode(ARMCertificateResource.self, json)
        #expect(back.properties.keyVault == reference)
    }

    @Test func collectionRoundTrips() throws {
        let resource = try JSONTesting.decode(ARMCertificateResource.self, Self.sample)
        let page = ARMCertificateCollection(value: [resource], count: 3, nextLink: "https://h/x?$skip=1")
        let json = try JSONTesting.encode(page)
        #expect(try JSONTesting.decode(ARMCertificateCollection.self, json) == page)
        let shape = try JSONTesting.object(json)
        #expect(shape["count"] as? Int == 3)
        #expect((shape["value"] as? NSArray)?.count == 1)
    }
}
