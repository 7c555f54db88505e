internal import COpenSSL
import Foundation

/// Builds and checks a leaf's path with OpenSSL's `X509_verify_cert`: real path building (names, key
/// identifiers, the best-dated candidate), signatures, validity at the reference time and CA constraints. No
/// chain logic of its own: it only records what the verify callback reports and reads the chain OpenSSL built.
///
/// The callback records every error and lets verification go on, so that one run reports all of them and the
/// whole chain is built. `X509_V_FLAG_PARTIAL_CHAIN` is set when a trust store is given, so a trusted
/// intermediate ends a path as a root would (`openssl verify -partial_chain`); the system store holds only roots,
/// where the flag changes nothing. A self-signed root's own signature is not checked (RFC 5280, 6.1), nor is any
/// purpose (a leaf may be a server's or a client's).
public enum ChainVerifier {
    /// The path of the DER certificate `leaf` with `others` as the file's other certificates; `nil` when a
    /// certificate does not decode.
    public static func path(leaf: [UInt8], others: [[UInt8]], trust: TrustStore?, at time: Date) -> CertificatePath? {
        OpenSSLRuntime.ensureLoaded()
        guard let leaf = X509Certificate(der: leaf) else { return nil }
        var decoded: [X509Certificate] = []
        for der in others {
            guard let certificate = X509Certificate(der: der) else { return nil }
            decoded.append(certificate)
        }
        return path(leaf: leaf, others: decoded, trust: trust, at: time)
    }

    static func path(leaf: X509Certificate, others: [X509Certificate], trust: TrustStore?, at time: Date)
        -> CertificatePath
    {
        let seconds = time_t(clamping: Int64(time.timeIntervalSince1970.rounded(.down)))
        let trusted = trust.flatMap { $0.hasAnchors ? $0 : nil }
        let main = Verification(leaf: leaf, untrusted: others, trust: trusted, time: seconds)
        // The path the file carries by itself: a certificate on it is related even where the trusted path stops
        // earlier (at a trusted intermediate) or goes elsewhere (a trusted cross-signed CA).
        let fileOnly =
            trusted == nil ? main : Verification(leaf: leaf, untrusted: others, trust: nil, time: seconds)
        let onPath = Set(main.chain.map(\.sha256)).union(fileOnly.chain.map(\.sha256))
        let fileDigests = Set([leaf.sha256] + others.map(\.sha256))
        let unrelated = others.filter { !onPath.contains($0.sha256) }

        func origin(_ certificate: X509Certificate) -> ChainOrigin {
            let digest = certificate.sha256
            if fileDigests.contains(digest) { return .file }
            if trusted?.bundleDigests.contains(digest) == true { return .caFile }
            return .system
        }

        let elements = main.chain.map { certificate in
            PathElement(
                subject: certificate.subject, issuer: certificate.issuer, notBefore: certificate.notBefore,
                notAfter: certificate.notAfter, thumbprint: certificate.thumbprint, origin: origin(certificate),
                selfSigned: certificate.isSelfSigned)
        }
        return CertificatePath(
            elements: elements,
            end: main.end(isBundle: { trusted?.bundleDigests.contains($0.sha256) == true }),
            trustChecked: trusted != nil,
            unrelated: unrelated.map { ChainCertificate(subject: $0.subject, thumbprint: $0.thumbprint) },
            failures: main.failures)
    }
}

extension PKCS12Bundle {
    /// The leaf's path from the file's other certificates and `trust`, checked at `time`; `nil` without a leaf.
    public func path(trust: TrustStore?, at time: Date) -> CertificatePath? {
        guard let leaf else { return nil }
        return ChainVerifier.path(leaf: leaf, others: others, trust: trust, at: time)
    }
}

/// One run of `X509_verify_cert`: the chain it built and the errors its callback saw.
private struct Verification {
    /// The chain, leaf first (`X509_STORE_CTX_get1_chain`).
    var chain: [X509Certificate] = []
    /// How many certificates at the start of the chain are not from the trust store.
    var untrustedCount = 0
    /// Every error the callback saw: code and depth.
    var errors: [(code: Int32, depth: Int)] = []

    init(leaf: X509Certificate, untrusted: [X509Certificate], trust: TrustStore?, time: time_t) {
        OpenSSLErrorQueue.clear()
        defer { OpenSSLErrorQueue.clear() }
        guard let context = X509_STORE_CTX_new() else { return }
        defer { X509_STORE_CTX_free(context) }
        if let trust {
            self = trust.withUnsafePointer { store in
                Verification(
                    context: context, leaf: leaf, untrusted: untrusted, store: store, partial: true, time: time)
            }
        } else {
            // Without a trust store, an empty one: the chain is built from the file alone.
            guard let empty = X509_STORE_new() else { return }
            defer { X509_STORE_free(empty) }
            self = Verification(
                context: context, leaf: leaf, untrusted: untrusted, store: empty, partial: false, time: time)
        }
    }

    private init(
        context: OpaquePointer, leaf: X509Certificate, untrusted: [X509Certificate], store: OpaquePointer,
        partial: Bool, time: time_t
    ) {
        guard let stack = OPENSSL_sk_new_null() else { return }
        defer { OPENSSL_sk_free(stack) }
        // The stack borrows the certificates: they outlive the context, which is freed before this returns.
        for certificate in untrusted {
            guard certificate.withUnsafePointer({ OPENSSL_sk_push(stack, UnsafeRawPointer($0)) }) > 0 else { return }
        }
        let recorder = ErrorRecorder()
        withExtendedLifetime((untrusted, recorder)) {
            leaf.withUnsafePointer { leafPointer in
                guard X509_STORE_CTX_init(context, store, leafPointer, stack) == 1 else { return }
                let parameters = X509_STORE_CTX_get0_param(context)
                X509_VERIFY_PARAM_set_time(parameters, time)
                if partial { X509_VERIFY_PARAM_set_flags(parameters, UInt(X509_V_FLAG_PARTIAL_CHAIN)) }
                X509_STORE_CTX_set_ex_data(context, 0, Unmanaged.passUnretained(recorder).toOpaque())
                X509_STORE_CTX_set_verify_cb(context, recordingCallback)
                _ = X509_verify_cert(context)
                untrustedCount = Int(X509_STORE_CTX_get_num_untrusted(context))
                guard let built = X509_STORE_CTX_get1_chain(context) else { return }
                defer { OPENSSL_sk_free(built) }
                for index in 0..<max(0, OPENSSL_sk_num(built)) {
                    // get1_chain took a reference to each certificate: it is ours to free.
                    if let pointer = OPENSSL_sk_value(built, index) {
                        chain.append(X509Certificate(taking: OpaquePointer(pointer)))
                    }
                }
            }
        }
        errors = recorder.errors
    }

    /// The codes that tell where the path ends rather than what is wrong with it.
    private static let incomplete: Set<Int32> = [
        X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
        X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE,
    ]
    private static let untrustedRoot: Set<Int32> = [
        X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
    ]

    /// Where the path ends, from the errors at its top and how many certificates came from the trust store.
    func end(isBundle: (X509Certificate) -> Bool) -> PathEnd {
        let top = chain.count - 1
        let atTop = Set(errors.filter { $0.depth == top }.map(\.code))
        if !atTop.isDisjoint(with: Self.incomplete) { return .nowhere }
        if !atTop.isDisjoint(with: Self.untrustedRoot) { return .file }
        if let last = chain.last, untrustedCount < chain.count { return isBundle(last) ? .caFile : .system }
        return chain.last?.isSelfSigned == true ? .file : .nowhere
    }

    /// The errors that say what is wrong, classified; the leaf's own validity is left to the leaf's checks.
    var failures: [PathFailure] {
        errors.compactMap { error in
            if Self.incomplete.contains(error.code) || Self.untrustedRoot.contains(error.code) { return nil }
            let kind: PathFailure.Kind
            switch error.code {
            case X509_V_ERR_CERT_SIGNATURE_FAILURE, X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE,
                X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
                kind = .signature
            case X509_V_ERR_CERT_HAS_EXPIRED, X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
                kind = .expired
            case X509_V_ERR_CERT_NOT_YET_VALID, X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
                kind = .notYetValid
            default:
                kind = .other
            }
            if error.depth == 0, kind == .expired || kind == .notYetValid { return nil }
            let reason = X509_verify_cert_error_string(Int(error.code)).map { String(cString: $0) } ?? "error"
            return PathFailure(kind: kind, depth: error.depth, code: Int(error.code), reason: reason)
        }
    }
}

/// Collects what the verify callback sees; reached through the context's application data (ex_data index 0).
private final class ErrorRecorder {
    /// More than any real path produces; a hostile one costs no more.
    static let maxErrors = 256
    var errors: [(code: Int32, depth: Int)] = []
}

/// Records the error, clears it and lets verification go on. OpenSSL calls it on the verifying thread only.
private func recordingCallback(_ ok: Int32, _ context: OpaquePointer?) -> Int32 {
    guard ok == 0, let context else { return ok }
    if let raw = X509_STORE_CTX_get_ex_data(context, 0) {
        let recorder = Unmanaged<ErrorRecorder>.fromOpaque(raw).takeUnretainedValue()
        if recorder.errors.count < ErrorRecorder.maxErrors {
            recorder.errors.append(
                (X509_STORE_CTX_get_error(context), Int(X509_STORE_CTX_get_error_depth(context))))
        }
    }
    X509_STORE_CTX_set_error(context, X509_V_OK)
    return 1
}
