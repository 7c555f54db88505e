import CertificateAPI
import Foundation
import Testing

@Suite struct CertificateUploadTests {
    static let bytes: [UInt8] = [0x30, 0x82, 0x01, 0xFF, 0x00, 0x10, 0xFB, 0xEF]
    static let base64 = Data(bytes).base64EncodedString()

    static func decode(_ json: String, _ dialect: Dialect, queryPassword: String? = nil) throws(CertificateAPIError)
        -> CertificateUpload
    {
        try CertificateUpload.decode(Data(json.utf8), dialect: dialect, queryPassword: queryPassword)
    }

    @Test func readsTheLegacyBody() throws {
        let upload = try Self.decode(#"{"data":"\#(Self.base64)","password":"p@ss"}"#, .legacy)
        #expect(upload == .pkcs12(data: Data(Self.bytes), password: "p@ss"))
    }

    @Test func readsTheReferenceSampleShape() throws {
        // JObject.ToString() indents with two spaces and breaks lines.
        let json = "{\r\n  \"data\": \"\(Self.base64)\",\r\n  \"password\": \"secret\"\r\n}"
        #expect(try Self.decode(json, .legacy) == .pkcs12(data: Data(Self.bytes), password: "secret"))
    }

    @Test func bodyPasswordWinsOverQuery() throws {
        let withBoth = try Self.decode(#"{"data":"\#(Self.base64)","password":"body"}"#, .legacy, queryPassword: "q")
        #expect(withBoth == .pkcs12(data: Data(Self.bytes), password: "body"))
        let queryOnly = try Self.decode(#"{"data":"\#(Self.base64)"}"#, .legacy, queryPassword: "q")
        #expect(queryOnly == .pkcs12(data: Data(Self.bytes), password: "q"))
        let none = try Self.decode(#"{"data":"\#(Self.base64)"}"#, .legacy)
        #expect(none == .pkcs12(data: Data(Self.bytes), password: nil))
    }

    @Test func acceptsBase64WithLineBreaks() throws {
        let broken = Self.base64.prefix(4) + "\r\n" + Self.base64.dropFirst(4)
        let json = #"{"data":"\#(broken)"}"#.replacingOccurrences(of: "\r\n", with: "\\r\\n")
        #expect(try Self.decode(json, .legacy) == .pkcs12(data: Data(Self.bytes), password: nil))
    }

    @Test func readsLargeMIMEStyleBase64ByteForByte() throws {
        // 3 MiB of data as MIME base64: 76 characters a line, CRLF between lines, plus spaces and tabs.
        let bytes = (0..<(3 * 1_024 * 1_024)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        let mime = Data(bytes).base64EncodedString(
            options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        let json = #"{"data":" \t\#(mime.replacingOccurrences(of: "\r\n", with: "\\r\\n"))\t "}"#
        #expect(try Self.decode(json, .legacy) == .pkcs12(data: Data(bytes), password: nil))
        let inner = #"{"data":"AAAA\u00a0AAAA"}"#  // a no-break space is not base64 white space
        #expect(throws: CertificateAPIError.self) { try Self.decode(inner, .legacy) }
    }

    @Test func readsBothARMForms() throws {
        let upload = try Self.decode(#"{"properties":{"data":"\#(Self.base64)","password":"pw"}}"#, .arm)
        #expect(upload == .pkcs12(data: Data(Self.bytes), password: "pw"))
        let keyVault = try Self.decode(
            #"{"properties":{"keyVault":{"secretIdentifier":"https://v.vault.azure.net/secrets/c","#
                + #""identityClientId":"id1"}}}"#,
            .arm
        )
        #expect(
            keyVault
                == .keyVault(
                    KeyVaultReference(secretIdentifier: "https://v.vault.azure.net/secrets/c", identityClientId: "id1"))
        )
    }

    @Test(arguments: [
        (#"not json"#, Dialect.legacy, CertificateAPIError.Code.bodyNotJSON, "not a JSON object"),
        (#""#, .legacy, .bodyNotJSON, "not a JSON object"),
        (#"[1,2]"#, .legacy, .bodyNotJSON, "not a JSON object"),
        (#""data""#, .legacy, .bodyNotJSON, "not a JSON object"),
        (#"{}"#, .legacy, .bodyMissingData, "lacks 'data'"),
        (#"{"data":null}"#, .legacy, .bodyMissingData, "lacks 'data'"),
        (#"{"data":42}"#, .legacy, .bodyInvalidField, "'data' has the wrong JSON type"),
        (#"{"data":"AAAA","password":7}"#, .legacy, .bodyInvalidField, "'password' has the wrong JSON type"),
        (#"{"data":""}"#, .legacy, .bodyInvalidField, "'data' is empty"),
        (#"{"data":"not base64!"}"#, .legacy, .bodyDataNotBase64, "'data' is not base64"),
        (#"{"data":"AAA"}"#, .legacy, .bodyDataNotBase64, "'data' is not base64"),
        (#"{"data":"AA-_"}"#, .legacy, .bodyDataNotBase64, "'data' is not base64"),
        (#"{"data":"AAAA"}"#, .arm, .bodyMissingData, "lacks 'properties'"),
        (#"{"properties":{}}"#, .arm, .bodyMissingData, "lacks 'properties.data'"),
        (#"{"properties":[]}"#, .arm, .bodyInvalidField, "'properties' has the wrong JSON type"),
        (
            #"{"properties":{"data":"AAAA","keyVault":{"secretIdentifier":"x"}}}"#, .arm, .bodyConflictingProperties,
            "both"
        ),
        (#"{"properties":{"keyVault":{}}}"#, .arm, .bodyInvalidField, "'properties.keyVault.secretIdentifier'"),
        (#"{"properties":{"keyVault":{"secretIdentifier":""}}}"#, .arm, .bodyInvalidField, "secretIdentifier"),
        (#"{"properties":{"data":"%%%%"}}"#, .arm, .bodyDataNotBase64, "'properties.data' is not base64"),
        (#"{"properties":{"data":true}}"#, .arm, .bodyInvalidField, "'properties.data' has the wrong JSON type"),
    ])
    func rejects(json: String, dialect: Dialect, code: CertificateAPIError.Code, fragment: String) {
        do {
            _ = try Self.decode(json, dialect)
            Issue.record("accepted \(json)")
        } catch {
            #expect(error.code == code)
            #expect(error.message.contains(fragment), "\(error.message)")
            #expect(error.code.wireCode == .validationError)
        }
    }

    @Test func requestBodiesEncodeTheContractShapes() throws {
        let legacy = CertificateCreateRequest(pkcs12: Self.bytes, password: "pw")
        #expect(try JSONTesting.encode(legacy) == #"{"data":"\#(Self.base64)","password":"pw"}"#)
        #expect(try JSONTesting.encode(CertificateCreateRequest(data: "AAAA", password: nil)) == #"{"data":"AAAA"}"#)
        let arm = ARMCertificateCreateRequest(pkcs12: Self.bytes, password: "pw")
        #expect(try JSONTesting.encode(arm) == #"{"properties":{"data":"\#(Self.base64)","password":"pw"}}"#)
        let keyVault = ARMCertificateCreateRequest(
            keyVault: KeyVaultReference(secretIdentifier: "https://v/secrets/c", identityClientId: "c1")
        )
        #expect(
            try JSONTesting.encode(keyVault)
                == #"{"properties":{"keyVault":{"identityClientId":"c1","secretIdentifier":"https://v/secrets/c"}}}"#
        )
    }

    @Test func encodedBodiesDecodeBack() throws {
        let legacy = try JSONEncoder().encode(CertificateCreateRequest(pkcs12: Self.bytes, password: "pw"))
        #expect(
            try CertificateUpload.decode(legacy, dialect: .legacy) == .pkcs12(data: Data(Self.bytes), password: "pw"))
        let arm = try JSONEncoder().encode(ARMCertificateCreateRequest(pkcs12: Self.bytes, password: nil))
        #expect(try CertificateUpload.decode(arm, dialect: .arm) == .pkcs12(data: Data(Self.bytes), password: nil))
        let decoded = try JSONDecoder().decode(CertificateCreateRequest.self, from: legacy)
        #expect(decoded == CertificateCreateRequest(pkcs12: Self.bytes, password: "pw"))
    }

    @Test func secretsNeverShow() {
        let secret = "hunter2-secret"
        let legacy = CertificateCreateRequest(pkcs12: Self.bytes, password: secret)
        let arm = ARMCertificateCreateRequest(pkcs12: Self.bytes, password: secret)
        let upload = CertificateUpload.pkcs12(data: Data(Self.bytes), password: secret)
        for shown in [
            String(describing: legacy), String(reflecting: legacy), dumped(legacy),
            String(describing: arm), String(reflecting: arm), dumped(arm), String(describing: arm.properties),
            dumped(arm.properties), String(describing: upload), String(reflecting: upload), dumped(upload),
            "\([legacy])", "\(Optional(upload) as Any)",
        ] {
            #expect(!shown.contains(secret), "\(shown)")
            #expect(!shown.contains(Self.base64), "\(shown)")
        }
        #expect(String(describing: legacy).contains("<redacted>"))
    }

    private func dumped(_ value: some Any) -> String {
        var text = ""
        dump(value, to: &text)
        return text
    }
}
