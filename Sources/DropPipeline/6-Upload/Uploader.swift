import CertificateAPI
import CertificateClient
import Foundation
import PKCS12Kit

/// What to do when an id already holds a different certificate.
public enum OnExisting: String, Sendable, CaseIterable {
    /// Leave it; the item is `skipped`.
    case skip
    /// Replace it with `If-Match`; the item is `updated`.
    case update
    /// Leave it; the item is a `conflict` (the default).
    case fail
}

/// The upload stage for one item: PUT without `If-Match` (ARM: after a look, with `If-None-Match: *`); when the id
/// exists, compare thumbprints (same: `unchanged`; different: `--on-existing`); `update` sends `If-Match` with the
/// fetched ETag (none is the failure `missing-etag`, never a silent `*`) and, on 412, fetches again and retries
/// once. Because every outcome is checked by thumbprint, a retry after an ambiguous
/// failure never creates a second copy or overwrites a different certificate.
public struct Uploader: Sendable {
    /// The service's client.
    public let client: CertificateServiceClient
    /// What to do with an id that holds another certificate.
    public let onExisting: OnExisting
    /// Re-export in this encryption before upload (`--reencrypt`).
    public let reencrypt: PKCS12Encryption?

    /// Makes an uploader.
    public init(client: CertificateServiceClient, onExisting: OnExisting = .fail, reencrypt: PKCS12Encryption? = nil) {
        self.client = client
        self.onExisting = onExisting
        self.reencrypt = reencrypt
    }

    /// The result of uploading one certificate.
    public struct Outcome: Sendable, Hashable {
        public var action: ImportAction
        public var status: Int?
        public var etag: String?
        public var attempts: Int
        public var error: ManifestEntry.Failure?

        /// Makes an outcome.
        package init(
            action: ImportAction, status: Int? = nil, etag: String? = nil, attempts: Int,
            error: ManifestEntry.Failure? = nil
        ) {
            self.action = action
            self.status = status
            self.etag = etag
            self.attempts = attempts
            self.error = error
        }
    }

    /// Uploads `material` under `id`.
    public func upload(id: String, material: UploadMaterial) async -> Outcome {
        let thumbprint = material.bundle.certificate?.thumbprint ?? ""
        let body: [UInt8]
        do {
            body = try Self.requestBody(material, dialect: client.target.dialect, reencrypt: reencrypt)
        } catch {
            return Outcome(
                action: .failed, attempts: 0, error: .init(code: error.code.rawValue, message: error.message))
        }
        var attempts = 0
        if client.target.dialect == .arm {
            // ARM replaces on a PUT without If-Match: look first.
            let (fetched, tries) = await client.fetch(id)
            attempts += tries
            switch fetched {
            case .failure(let error):
                return Outcome(
                    action: .failed, attempts: attempts, error: .init(code: error.code, message: error.message))
            case .success(let existing?):
                return await settleExisting(
                    id: id, existing: existing, thumbprint: thumbprint, body: body,
                    attempts: attempts, ambiguous: false)
            case .success(nil):
                break
            }
        }
        // ARM: the id was free when we looked; `If-None-Match: *` makes a concurrent creator's certificate a `412`
        // instead of overwriting it. The legacy dialect refuses an existing id on its own (`409`).
        let create: [(String, String)] = client.target.dialect == .arm ? [("If-None-Match", "*")] : []
        let exchange = await client.send(.PUT, client.target.entityURL(id), body: body, headers: create)
        attempts += exchange.attempts
        switch exchange.result {
        case .failure(let error):
            return Outcome(action: .failed, attempts: attempts, error: .init(code: error.code, message: error.message))
        case .success(let result) where result.status == 201 || result.status == 200:
            return Outcome(action: .created, status: result.status, etag: result.etag, attempts: attempts)
        case .success(let result) where result.status == 409 || result.status == 412 && !create.isEmpty:
            let (fetched, tries) = await client.fetch(id)
            attempts += tries
            switch fetched {
            case .success(let existing?):
                return await settleExisting(
                    id: id, existing: existing, thumbprint: thumbprint, body: body,
                    attempts: attempts, ambiguous: exchange.ambiguous)
            case .success(nil):
                return Outcome(
                    action: .failed, status: result.status, attempts: attempts,
                    error: .init(
                        code: "conflict-vanished", message: "the service reported a conflict, then no certificate"))
            case .failure(let error):
                return Outcome(
                    action: .failed, attempts: attempts, error: .init(code: error.code, message: error.message))
            }
        case .success(let result):
            let error = CertificateServiceClient.statusError(result)
            return Outcome(
                action: .failed, status: result.status, attempts: attempts,
                error: .init(code: error.code, message: error.message))
        }
    }

    /// The id exists: the same certificate is `unchanged` (or `created`, when our own earlier attempt may have
    /// made it); another one follows `onExisting`.
    private func settleExisting(
        id: String, existing: (record: CertificateRecord, etag: String?), thumbprint: String, body: [UInt8],
        attempts: Int, ambiguous: Bool
    ) async -> Outcome {
        if existing.record.thumbprint.uppercased() == thumbprint.uppercased() {
            return Outcome(
                action: ambiguous ? .created : .unchanged, status: 200, etag: existing.etag, attempts: attempts)
        }
        switch onExisting {
        case .skip:
            return Outcome(
                action: .skipped, status: 200, etag: existing.etag, attempts: attempts,
                error: .init(
                    code: "exists", message: "the id holds another certificate (\(existing.record.thumbprint))"))
        case .fail:
            return Outcome(
                action: .conflict, status: 409, etag: existing.etag, attempts: attempts,
                error: .init(
                    code: "conflict", message: "the id holds another certificate (\(existing.record.thumbprint))"))
        case .update:
            return await replace(
                id: id, etag: existing.etag, thumbprint: thumbprint, body: body, attempts: attempts,
                secondChance: true)
        }
    }

    private func replace(
        id: String, etag: String?, thumbprint: String, body: [UInt8], attempts: Int, secondChance: Bool
    )
        async -> Outcome
    {
        var attempts = attempts
        guard let etag else { return Self.missingETag(attempts: attempts) }
        let exchange = await client.send(
            .PUT, client.target.entityURL(id), body: body, headers: [("If-Match", etag)])
        attempts += exchange.attempts
        switch exchange.result {
        case .success(let result) where result.status == 204 || result.status == 200 || result.status == 201:
            return Outcome(action: .updated, status: result.status, etag: result.etag, attempts: attempts)
        case .success(let result) where result.status == 412 && secondChance:
            // Someone wrote in between: look again, once.
            let (fetched, tries) = await client.fetch(id)
            attempts += tries
            guard case .success(let current?) = fetched else {
                return Outcome(
                    action: .failed, status: 412, attempts: attempts,
                    error: .init(code: "precondition-failed", message: "the certificate changed while it was replaced"))
            }
            if current.record.thumbprint.uppercased() == thumbprint.uppercased() {
                return Outcome(action: .updated, status: 200, etag: current.etag, attempts: attempts)
            }
            return await replace(
                id: id, etag: current.etag, thumbprint: thumbprint, body: body, attempts: attempts,
                secondChance: false)
        case .success(let result):
            let error = CertificateServiceClient.statusError(result)
            return Outcome(
                action: .failed, status: result.status, attempts: attempts,
                error: .init(code: error.code, message: error.message))
        case .failure(let error):
            return Outcome(action: .failed, attempts: attempts, error: .init(code: error.code, message: error.message))
        }
    }

    /// The service showed the certificate without an `ETag`: it is not replaced, since `If-Match: *` would
    /// overwrite whatever another writer put there in between.
    static func missingETag(attempts: Int) -> Outcome {
        Outcome(
            action: .failed, attempts: attempts,
            error: .init(
                code: "missing-etag",
                message: "the service showed the certificate without an ETag, so it was not replaced "
                    + "(If-Match: * could overwrite a change made in between)"))
    }

    /// The request body of the contract for the dialect: `{"data": "<base64>", "password": "…"}` (ARM: inside
    /// `properties`), written straight into bytes so that the password lives in no long-lived `String`.
    static func requestBody(_ material: UploadMaterial, dialect: Dialect, reencrypt: PKCS12Encryption?)
        throws(PKCS12Error) -> [UInt8]
    {
        var pkcs12 = material.pkcs12
        let password = material.bundle.password
        if let reencrypt {
            pkcs12 = try PKCS12Writer.export(material.bundle, password: password, encryption: reencrypt)
        }
        let data = Data(pkcs12).base64EncodedString()
        let escaped: [UInt8]? = password.withBytes { bytes in
            guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
            return Array(JSONText.line([text]).utf8.dropFirst().dropLast())
        }
        guard let escaped else {
            throw PKCS12Error(.exportFailed, "the password is not UTF-8, so JSON cannot carry it; use --reencrypt")
        }
        var body: [UInt8] = []
        body.reserveCapacity(data.utf8.count + escaped.count + 64)
        let open = dialect == .arm ? "{\"properties\":{\"data\":\"" : "{\"data\":\""
        body += Array(open.utf8) + Array(data.utf8) + Array("\",\"password\":".utf8) + escaped
        body += Array((dialect == .arm ? "}}" : "}").utf8)
        var wipe = escaped
        SecretBytes.wipe(&wipe)
        return body
    }
}
