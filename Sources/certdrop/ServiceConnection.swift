import CertificateAPI
import CertificateClient
import CertificateService
import DropPipeline
import Foundation
import Logging

/// A client for the target of a command: a remote service, or the embedded local one started in-process on
/// 127.0.0.1 with its store under `.certdrop/` (or `$CERTDROP_HOME`), reached through the same HTTP client.
struct ServiceConnection {
    let client: CertificateServiceClient
    private let server: RunningServer?

    /// `the embedded service (…/.certdrop)` or the URL.
    let label: String

    /// `concurrency` sizes the connection pool; `observer` sees every attempt (`--concurrency auto`).
    static func open(_ options: TargetOptions, concurrency: Int, observer: (any AttemptObserver)? = nil) async throws
        -> ServiceConnection
    {
        if let (target, credentials) = try options.remote() {
            let client = try CertificateServiceClient(
                target: target, credentials: credentials, concurrency: concurrency, caFile: options.caFile,
                retry: options.retryPolicy, observer: observer)
            return ServiceConnection(client: client, server: nil, label: target.baseURL)
        }
        let home = ServiceHome()
        try FileManager.default.createDirectory(
            atPath: home.folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let keys: AccessKeyFile
        do {
            keys = try AccessKeyFile.loadOrCreate(path: home.keyFilePath, allowInsecure: options.allowInsecureKeyFile).0
        } catch {
            let code: PipelineError.Code =
                error.detailCode == SecretFileError.Code.insecure.rawValue ? .insecureKeyFile : .passwordSource
            throw PipelineError(code, error.message)
        }
        var logger = Logger(label: "certdrop.embedded")
        logger.logLevel = .warning
        let configuration = ServiceConfiguration(store: .file(home.storePath), accessKeys: keys, logger: logger)
        let server = try await CertificateServer.start(configuration)
        let client = try CertificateServiceClient(
            target: .legacy(baseURL: server.baseURL),
            credentials: MintedSignatureCredential(identifier: keys.identifier, key: keys.keys.primary),
            concurrency: concurrency, retry: options.retryPolicy, observer: observer)
        return ServiceConnection(client: client, server: server, label: "the embedded service (\(home.folder))")
    }

    /// Closes the client and stops the embedded service.
    func close() async {
        await client.shutdown()
        try? await server?.shutdown()
    }
}
