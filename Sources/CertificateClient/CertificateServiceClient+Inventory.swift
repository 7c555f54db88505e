import CertificateAPI
import Foundation

/// A certificate as a service shows it in either dialect: its facts, the entity's own path, and the Key Vault
/// secret it comes from, when ARM says so.
public struct RemoteCertificate: Sendable, Hashable {
    /// The facts (`certificateId`, subject, thumbprint, expiry).
    public let record: CertificateRecord
    /// The entity's `id`: `/certificates/{cid}` (legacy) or the ARM resource id.
    public let path: String
    /// ARM's `properties.keyVault`; always `nil` in the legacy dialect, which cannot show it.
    public let keyVault: KeyVaultReference?
    /// ARM's `properties.keyVault.lastStatus`, when the service shows it.
    public let keyVaultStatus: KeyVaultStatus?

    /// Makes a certificate.
    public init(
        record: CertificateRecord, path: String, keyVault: KeyVaultReference? = nil,
        keyVaultStatus: KeyVaultStatus? = nil
    ) {
        self.record = record
        self.path = path
        self.keyVault = keyVault
        self.keyVaultStatus = keyVault == nil ? nil : keyVaultStatus
    }

    /// The certificate's id.
    public var id: String { record.certificateId }

    /// The thumbprint in upper case, or `nil` when the service shows none (a Key Vault reference it has not
    /// resolved).
    public var thumbprint: String? {
        let value = record.thumbprint.trimmingCharacters(in: .whitespaces)
        return value.isEmpty ? nil : value.uppercased()
    }

    init?(_ entity: CertificateEntity) {
        guard let record = entity.record else { return nil }
        self.init(record: record, path: entity.id)
    }

    init(_ resource: ARMCertificateResource) {
        self.init(
            record: resource.record, path: resource.id, keyVault: resource.properties.keyVault,
            keyVaultStatus: resource.properties.keyVaultStatus)
    }
}

extension CertificateServiceClient {
    /// Every certificate the service holds (matching `filter`) with its path and Key Vault secret, following
    /// `nextLink`. ``list(filter:page:)`` is this without the extras.
    ///
    /// A `nextLink` (absolute, or relative to its page) is followed only to the configured service's scheme, host
    /// and port and under its path (ARM: its resource path), else `untrusted-next-link` and nothing is sent there;
    /// a link seen before is `next-link-loop`; more than ``ClientLimits/maxPages`` pages is `too-many-pages`.
    public func inventory(filter: String? = nil, page: Int = 1000) async throws(ClientError) -> [RemoteCertificate] {
        var certificates: [RemoteCertificate] = []
        let first = target.listURL(filter: filter, top: page)
        var next: String? = first
        var seen: Set<String> = [URL(string: first)?.absoluteString ?? first]
        var pages = 0
        while let url = next {
            pages += 1
            let exchange = await send(.GET, url)
            let result: HTTPResult
            switch exchange.result {
            case .failure(let error): throw error
            case .success(let answer): result = answer
            }
            guard result.status == 200 else { throw Self.statusError(result) }
            let decoder = JSONDecoder()
            let data = Data(result.body)
            let link: String?
            switch target.dialect {
            case .legacy:
                guard let collection = try? decoder.decode(CertificateEntityCollection.self, from: data) else {
                    throw ClientError.unexpectedResponse("the certificate list cannot be read")
                }
                certificates += collection.value.compactMap(RemoteCertificate.init)
                link = collection.nextLink
            case .arm:
                guard let collection = try? decoder.decode(ARMCertificateCollection.self, from: data) else {
                    throw ClientError.unexpectedResponse("the certificate list cannot be read")
                }
                certificates += collection.value.map(RemoteCertificate.init)
                link = collection.nextLink
            }
            guard let link = link?.trimmingCharacters(in: .whitespaces), !link.isEmpty else { break }
            let trusted = try target.trustedNextLink(link, from: url)
            guard pages < limits.maxPages else {
                throw ClientError.tooManyPages(
                    "the service's list has more than \(limits.maxPages) pages; it was not read to the end")
            }
            guard seen.insert(trusted).inserted else {
                throw ClientError.nextLinkLoop("the service's nextLink points to a page already read")
            }
            next = trusted
        }
        return certificates
    }

    /// GET one certificate with its path and Key Vault secret, and its ETag; `nil` when it does not exist.
    /// ``fetch(_:)`` is this without the extras.
    public func fetchRemote(_ id: String) async -> (
        Result<(certificate: RemoteCertificate, etag: String?)?, ClientError>, Int
    ) {
        let exchange = await send(.GET, target.entityURL(id))
        switch exchange.result {
        case .failure(let error):
            return (.failure(error), exchange.attempts)
        case .success(let result) where result.status == 404:
            return (.success(nil), exchange.attempts)
        case .success(let result) where result.status == 200:
            guard let certificate = decodeRemote(result.body) else {
                return (
                    .failure(ClientError.unexpectedResponse("the certificate's body cannot be read")),
                    exchange.attempts
                )
            }
            return (.success((certificate, result.etag)), exchange.attempts)
        case .success(let result):
            return (.failure(Self.statusError(result)), exchange.attempts)
        }
    }

    func decodeRemote(_ body: [UInt8]) -> RemoteCertificate? {
        let decoder = JSONDecoder()
        switch target.dialect {
        case .legacy:
            return (try? decoder.decode(CertificateEntity.self, from: Data(body))).flatMap(RemoteCertificate.init)
        case .arm:
            return (try? decoder.decode(ARMCertificateResource.self, from: Data(body))).map(RemoteCertificate.init)
        }
    }
}
