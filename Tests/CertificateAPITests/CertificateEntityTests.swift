import CertificateAPI
import Foundation
import Testing

@Suite struct CertificateEntityTests {
    static let expiration = Date(timeIntervalSince1970: 1_471_813_842)  // 2016-08-21T21:10:42Z

    /// The reference's "Get a certificate" sample body, verbatim (no `Z`).
    static let referenceEntity = """
        {  
          "id": "/certificates/544fe9abc3b8f30fb490d90f",  
          "subject": "CN=myapi.cloudapp.net",  
          "thumbprint": "446581AC8386C0F79FE0C5C866431E45FCA5545E",  
          "expirationDate": "2016-08-21T21:10:42"  
        }  
        """

    /// The reference's "Get a list of all certificates" sample body, verbatim.
    static let referenceCollection = """
        {  
          "value": [  
            {  
              "id": "/certificates/544fe9abc3b8f30fb490d90f",  
              "subject": "CN=myapi.cloudapp.net",  
              "thumbprint": "446581AC8386C0F79FE0C5C866431E45FCA5545E",  
              "expirationDate": "2016-08-21T21:10:42"  
            }  
          ],  
          "count": 1,  
          "nextLink": null  
        }  
        """

    /// The contract's legacy body, with the `Z`.
    static let contractEntity = """
        { "id": "/certificates/544fe9abc3b8f30fb490d90f", "subject": "CN=myapi.cloudapp.net",
          "thumbprint": "446581AC8386C0F79FE0C5C866431E45FCA5545E", "expirationDate": "2016-08-21T21:10:42Z" }
        """

    static let entity = CertificateEntity(
        id: "/certificates/544fe9abc3b8f30fb490d90f",
        subject: "CN=myapi.cloudapp.net",
        thumbprint: "446581AC8386C0F79FE0C5C866431E45FCA5545E",
        expirationDate: expiration
    )

    @Test func decodesTheReferenceSample() throws {
        #expect(try JSONTesting.decode(CertificateEntity.self, Self.referenceEntity) == Self.entity)
    }

    @Test func decodesTheContractSample() throws {
        #expect(try JSONTesting.decode(CertificateEntity.self, Self.contractEntity) == Self.entity)
    }

    @Test func decodesTheReferenceCollection() throws {
        let page = try JSONTesting.decode(CertificateEntityCollection.self, Self.referenceCollection)
        #expect(page == CertificateEntityCollection(value: [Self.entity], count: 1, nextLink: nil))
    }

    @Test func encodesWithZ() throws {
        let json = try JSONTesting.encode(Self.entity)
        #expect(
            json == """
                {"expirationDate":"2016-08-21T21:10:42Z","id":"/certificates/544fe9abc3b8f30fb490d90f",\
                "subject":"CN=myapi.cloudapp.net","thumbprint":"446581AC8386C0F79FE0C5C866431E45FCA5545E"}
                """
        )
        #expect(try JSONTesting.object(json) == JSONTesting.object(Self.contractEntity))
    }

    @Test func encodesNextLinkAsNull() throws {
        let page = CertificateEntityCollection(value: [], count: 0, nextLink: nil)
        #expect(try JSONTesting.encode(page) == #"{"count":0,"nextLink":null,"value":[]}"#)
        let more = CertificateEntityCollection(value: [Self.entity], count: 5, nextLink: "https://h/certificates?x=1")
        let decoded = try JSONTesting.decode(CertificateEntityCollection.self, JSONTesting.encode(more))
        #expect(decoded == more)
    }

    @Test func decodesCollectionWithoutCountOrNextLink() throws {
        let page = try JSONTesting.decode(CertificateEntityCollection.self, #"{"value":[]}"#)
        #expect(page.count == 0)
        #expect(page.nextLink == nil)
    }

    @Test func convertsToAndFromRecords() {
        let record = CertificateRecord(
            certificateId: "544fe9abc3b8f30fb490d90f",
            subject: "CN=myapi.cloudapp.net",
            thumbprint: "446581AC8386C0F79FE0C5C866431E45FCA5545E",
            expirationDate: Self.expiration
        )
        #expect(CertificateEntity(record) == Self.entity)
        #expect(Self.entity.certificateId == "544fe9abc3b8f30fb490d90f")
        #expect(Self.entity.record == record)
        let odd = CertificateEntity(id: "/other/x", subject: "", thumbprint: "", expirationDate: Self.expiration)
        #expect(odd.certificateId == nil)
        #expect(odd.record == nil)
        let bare = CertificateEntity(id: "/certificates/", subject: "", thumbprint: "", expirationDate: Self.expiration)
        #expect(bare.certificateId == nil)
    }

    @Test(arguments: [
        #"{"id":"/certificates/a","subject":"s","thumbprint":"t","expirationDate":"soon"}"#,
        #"{"id":"/certificates/a","subject":"s","thumbprint":"t","expirationDate":"2016-08-21T25:00:00"}"#,
        #"{"id":"/certificates/a","subject":"s","thumbprint":"t"}"#,
        #"{"id":"/certificates/a","subject":"s","thumbprint":"t","expirationDate":12}"#,
        #"{"subject":"s","thumbprint":"t","expirationDate":"2016-08-21T21:10:42Z"}"#,
    ])
    func rejectsBadBodies(json: String) {
        #expect(throws: DecodingError.self) { try JSONTesting.decode(CertificateEntity.self, json) }
    }

    @Test func decodesFractionalSeconds() throws {
        let json = #"{"id":"/certificates/a","subject":"s","thumbprint":"t","expirationDate":"2016-08-21T21:10:42.5Z"}"#
        let entity = try JSONTesting.decode(CertificateEntity.self, json)
        #expect(entity.expirationDate == Self.expiration.addingTimeInterval(0.5))
    }
}
