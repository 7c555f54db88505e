import CertificateAPI
import CertificateClient
import Foundation

/// Recreates a certificate as a Key Vault reference in an ARM target, with the rules of ``Uploader``: look first
/// (ARM replaces on a PUT without `If-Match`) and create with `If-None-Match: *`; the same certificate
/// (``holds(_:_:thumbprint:)``: the same secret, and the same facts where both sides show them) is `unchanged`;
/// another certificate follows `onExisting`; `update` sends `If-Match` with the fetched ETag (none is the failure
/// `missing-etag`, never a silent `*`) and, on `412`, looks again and retries once.
public struct KeyVaultUploader: Sendable {
    /// The target's client; its dialect must be ARM.
    public let client: CertificateServiceClient
    /// What to do with an id that holds another certificate.
    public let onExisting: OnExisting

    /// Makes an uploader.
    public init(client: CertificateServiceClient, onExisting: OnExisting = .fail) {
        self.client = client
        self.onExisting = onExisting
    }

    /// Whether `current` already holds the Key Vault certificate that `reference` names and whose thumbprint is
    /// `thumbprint` (`nil` when the source does not show it): the same secret and identity, and, where both
    /// services show the certificate's facts, the same thumbprint. The same secret identifier with other facts is
    /// another certificate (the target's vault serves another version, or another secret under that name); a side
    /// that could not fetch its secret shows no facts, and the reference alone decides.
    public static func holds(_ current: RemoteCertificate, _ reference: KeyVaultReference, thumbprint: String? = nil)
        -> Bool
    {
        guard let held = current.keyVault, held.secretIdentifier == reference.secretIdentifier,
            held.identityClientId == reference.identityClientId
        else { return false }
        guard let expected = thumbprint?.uppercased(), !expected.isEmpty, let actual = current.thumbprint else {
            return true
        }
        return actual == expected
    }

    /// Creates (or replaces) `id` as a reference to `reference`; `thumbprint` is the certificate's in the source,
    /// when the source shows it.
    public func upload(id: String, reference: KeyVaultReference, thumbprint: String? = nil) async -> Uploader.Outcome {
        guard client.target.dialect == .arm else {
            return Uploader.Outcome(
                action: .failed, attempts: 0,
                error: .init(code: "key-vault", message: "the legacy dialect cannot hold a Key Vault reference"))
        }
        guard let body = try? JSONEncoder().encode(ARMCertificateCreateRequest(keyVault: reference)) else {
            return Uploader.Outcome(
                action: .failed, attempts: 0, error: .init(code: "key-vault", message: "cannot encode the reference"))
        }
        let (fetched, tries) = await client.fetchRemote(id)
        switch fetched {
        case .failure(let error):
            return Uploader.Outcome(
                action: .failed, attempts: tries, error: .init(code: error.code, message: error.message))
        case .success(let existing?):
            return await settleExisting(
                id: id, existing: existing, body: Array(body), reference: reference, thumbprint: thumbprint,
                attempts: tries, ambiguous: false)
        case .success(nil):
            // The id was free when we looked: `If-None-Match: *` makes a concurrent creator's certificate a `412`.
            let exchange = await client.send(
                .PUT, client.target.entityURL(id), body: Array(body), headers: [("If-None-Match", "*")])
            guard case .success(let result) = exchange.result, result.status == 412 else {
                return settle(exchange, attempts: tries, created: true)
            }
            let attempts = tries + exchange.attempts
            let (again, more) = await client.fetchRemote(id)
            switch again {
            case .success(let existing?):
                return await settleExisting(
                    id: id, existing: existing, body: Array(body), reference: reference, thumbprint: thumbprint,
                    attempts: attempts + more, ambiguous: exchange.ambiguous)
            case .success(nil):
                return Uploader.Outcome(
                    action: .failed, status: 412, attempts: attempts + more,
                    error: .init(
                        code: "conflict-vanished", message: "the service reported a conflict, then no certificate"))
            case .failure(let error):
                return Uploader.Outcome(
                    action: .failed, attempts: attempts + more, error: .init(code: error.code, message: error.message))
            }
        }
    }

    /// The id exists: the same reference is `unchanged` (or `created`, when our own earlier attempt may have made
    /// it); another certificate follows `onExisting`.
    private func settleExisting(
        id: String, existing: (certificate: RemoteCertificate, etag: String?), body: [UInt8],
        reference: KeyVaultReference, thumbprint: String?, attempts: Int, ambiguous: Bool
    ) async -> Uploader.Outcome {
        if Self.holds(existing.certificate, reference, thumbprint: thumbprint) {
            return Uploader.Outcome(
                action: ambiguous ? .created : .unchanged, status: 200, etag: existing.etag, attempts: attempts)
        }
        let held = Self.describe(existing.certificate)
        switch onExisting {
        case .skip:
            return Uploader.Outcome(
                action: .skipped, status: 200, etag: existing.etag, attempts: attempts,
                error: .init(code: "exists", message: "the id holds another certificate (\(held))"))
        case .fail:
            return Uploader.Outcome(
                action: .conflict, status: 409, etag: existing.etag, attempts: attempts,
                error: .init(code: "conflict", message: "the id holds another certificate (\(held))"))
        case .update:
            return await put(
                id: id, body: body, reference: reference, thumbprint: thumbprint, etag: existing.etag,
                attempts: attempts)
        }
    }

    /// What a target's certificate is, for a message: its secret and thumbprint, or its thumbprint.
    package static func describe(_ certificate: RemoteCertificate) -> String {
        switch (certificate.keyVault?.secretIdentifier, certificate.thumbprint) {
        case (let secret?, let thumbprint?): return "\(secret), thumbprint \(thumbprint)"
        case (let secret?, nil): return secret
        case (nil, let thumbprint): return thumbprint ?? certificate.record.thumbprint
        }
    }

    private func put(
        id: String, body: [UInt8], reference: KeyVaultReference, thumbprint: String?, etag: String?, attempts: Int
    ) async -> Uploader.Outcome {
        var attempts = attempts
        guard let etag else { return Uploader.missingETag(attempts: attempts) }
        let exchange = await client.send(
            .PUT, client.target.entityURL(id), body: body, headers: [("If-Match", etag)])
        if case .success(let result) = exchange.result, result.status == 412 {
            // Someone wrote in between: look again, once.
            attempts += exchange.attempts
            let (fetched, tries) = await client.fetchRemote(id)
            attempts += tries
            guard case .success(let current?) = fetched else {
                return Uploader.Outcome(
                    action: .failed, status: 412, attempts: attempts,
                    error: .init(code: "precondition-failed", message: "the certificate changed while it was replaced"))
            }
            if Self.holds(current.certificate, reference, thumbprint: thumbprint) {
                return Uploader.Outcome(action: .updated, status: 200, etag: current.etag, attempts: attempts)
            }
            guard let currentETag = current.etag else { return Uploader.missingETag(attempts: attempts) }
            let again = await client.send(
                .PUT, client.target.entityURL(id), body: body, headers: [("If-Match", currentETag)])
            return settle(again, attempts: attempts, created: false)
        }
        return settle(exchange, attempts: attempts, created: false)
    }

    private func settle(_ exchange: Exchange, attempts: Int, created: Bool) -> Uploader.Outcome {
        let attempts = attempts + exchange.attempts
        switch exchange.result {
        case .failure(let error):
            return Uploader.Outcome(
                action: .failed, attempts: attempts, error: .init(code: error.code, message: error.message))
        case .success(let result) where (200...204).contains(result.status):
            return Uploader.Outcome(
                action: created ? .created : .updated, status: result.status, etag: result.etag, attempts: attempts)
        case .success(let result):
            let error = CertificateServiceClient.statusError(result)
            return Uploader.Outcome(
                action: .failed, status: result.status, attempts: attempts,
                error: .init(code: error.code, message: error.message))
        }
    }
}
