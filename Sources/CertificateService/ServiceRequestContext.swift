import CertificateAPI
import Hummingbird
import NIOCore

/// The request context of the service: Hummingbird's core storage and the connection's channel, which fault
/// injection closes to drop a connection mid-request.
public struct ServiceRequestContext: RequestContext {
    /// Hummingbird's per-request storage (logger, parameters, endpoint path).
    public var coreContext: CoreRequestContextStorage
    /// The connection the request came on.
    let channel: any Channel

    /// Makes the context of a request that arrived on a channel.
    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        channel = source.channel
    }

    /// Bodies are read by the routes with their own limit (``CertificateAPI/CertificateUpload/maximumBodySize``).
    public var maxUploadSize: Int { CertificateUpload.maximumBodySize }
}
