// The benchmark executable of scripts/bench-validate.sh. Not part of the package: the script builds it in a
// throwaway package next to its inputs, with Sources/COpenSSL and Sources/PKCS12Kit symlinked from the
// repository, in release mode.
//
//   bench-validate open  --threads N --password-file F [--passes P] FILE...
//       PKCS12Bundle.open on every file (bytes read beforehand), N threads sharing the files; prints one line
//       `rate=<files/s> median=<files/s> files=<n> failed=<n> passes=<p>`.
//   bench-validate floor --threads N --count C [--passes P] [--iterations I] [--pbkdf2 K] [--kdf openssl|fast]
//       The key derivations alone that opening an OpenSSL 3 default PKCS#12 needs: the MAC key (PKCS#12 KDF,
//       SHA-256, I iterations) and K PBES2 keys (PBKDF2-HMAC-SHA256, I iterations, 32 bytes). With `openssl`
//       (the default) through OpenSSL's PKCS12_key_gen_utf8 and PKCS5_PBKDF2_HMAC, with `fast` through CertDrop's
//       own (cd_fast_pkcs12_kdf, cd_fast_pbkdf2 in CFastKDF, or COpenSSL/shim.h before it). Prints
//       `rate=<derivation sets/s> ...` like `open`.
//
// Each pass is timed alone; the line reports the best pass (a benchmark on a shared machine is only ever slowed
// down by others) and, as `median=`, the median.
import COpenSSL
import Foundation
import PKCS12Kit

#if CERTDROP_CFASTKDF
    import CFastKDF
#endif

struct Usage: Error, CustomStringConvertible {
    let description: String
}

struct Arguments {
    var mode = ""
    var threads = 1
    var passes = 3
    var count = 200
    var iterations = 2048
    var pbkdf2 = 2
    var fastKDF = false
    var passwordFile: String?
    var files: [String] = []

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        guard let mode = rest.popFirst() else { throw Usage(description: "missing mode (open or floor)") }
        self.mode = mode
        func int(_ name: String) throws -> Int {
            guard let text = rest.popFirst(), let value = Int(text), value > 0 else {
                throw Usage(description: "\(name) takes a positive number")
            }
            return value
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--threads": threads = try int(argument)
            case "--passes": passes = try int(argument)
            case "--count": count = try int(argument)
            case "--iterations": iterations = try int(argument)
            case "--pbkdf2": pbkdf2 = try int(argument)
            case "--password-file": passwordFile = rest.popFirst()
            case "--kdf":
                switch rest.popFirst() {
                case "openssl": fastKDF = false
                case "fast": fastKDF = true
                default: throw Usage(description: "--kdf takes openssl or fast")
                }
            default: files.append(argument)
            }
        }
    }
}

/// Runs `body(thread, index)` for every index in `0..<count` on `threads` threads, each taking every
/// `threads`-th index; returns the wall time in seconds from the moment all threads are ready.
func timeParallel(threads: Int, count: Int, _ body: @escaping @Sendable (Int) -> Void) -> Double {
    let ready = DispatchSemaphore(value: 0)
    let start = DispatchSemaphore(value: 0)
    let done = DispatchGroup()
    for thread in 0..<threads {
        done.enter()
        let worker = Thread {
            ready.signal()
            start.wait()
            var index = thread
            while index < count {
                body(index)
                index += threads
            }
            done.leave()
        }
        worker.stackSize = 1 << 22
        worker.start()
    }
    for _ in 0..<threads { ready.wait() }
    let clock = ContinuousClock()
    let began = clock.now
    for _ in 0..<threads { start.signal() }
    done.wait()
    let elapsed = clock.now - began
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

/// `rate=<best> median=<median>` of the passes' rates.
func summary(_ rates: [Double]) -> String {
    let sorted = rates.sorted()
    let best = String(format: "%.1f", sorted.last ?? 0)
    return "rate=\(best) median=\(String(format: "%.1f", sorted[sorted.count / 2]))"
}

// The fast derivations (CFastKDF, or COpenSSL/shim.h before it), when this checkout has them (the script defines
// CERTDROP_FAST_KDF then, and CERTDROP_CFASTKDF for the C target),
// so that the same executable also builds against an older PKCS12Kit for before/after runs.
#if CERTDROP_FAST_KDF
    let fastKDFAvailable = true
    func fastPBKDF2(_ password: [UInt8], _ salt: [UInt8], _ iterations: Int, _ out: inout [UInt8]) -> Int32 {
        cd_fast_pbkdf2(NID_sha256, password, password.count, salt, salt.count, UInt64(iterations), &out, out.count)
    }
    func fastPKCS12KDF(_ bmp: [UInt8], _ salt: [UInt8], _ iterations: Int, _ out: inout [UInt8]) -> Int32 {
        cd_fast_pkcs12_kdf(
            NID_sha256, bmp, bmp.count, salt, salt.count, Int32(PKCS12_MAC_ID), UInt64(iterations), &out, out.count)
    }
#else
    let fastKDFAvailable = false
    func fastPBKDF2(_ password: [UInt8], _ salt: [UInt8], _ iterations: Int, _ out: inout [UInt8]) -> Int32 { 0 }
    func fastPKCS12KDF(_ bmp: [UInt8], _ salt: [UInt8], _ iterations: Int, _ out: inout [UInt8]) -> Int32 { 0 }
#endif

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func add() { lock.withLock { value += 1 } }
    var total: Int { lock.withLock { value } }
}

func runOpen(_ arguments: Arguments) throws {
    guard let passwordFile = arguments.passwordFile else { throw Usage(description: "open needs --password-file") }
    guard !arguments.files.isEmpty else { throw Usage(description: "open needs files") }
    #if CERTDROP_CFASTKDF
        // As `certdrop` does first thing; before CFastKDF, PKCS12Kit installed the fast PBES2 derivation itself.
        OpenSSLRuntime.installFastKeyDerivation()
    #endif
    var passwordBytes = Array(try Data(contentsOf: URL(fileURLWithPath: passwordFile)))
    while let last = passwordBytes.last, last == 0x0A || last == 0x0D { passwordBytes.removeLast() }
    let password = SecretBytes(passwordBytes)
    let inputs = try arguments.files.map { try [UInt8](Data(contentsOf: URL(fileURLWithPath: $0))) }
    let failures = Counter()
    let work: @Sendable (Int) -> Void = { index in
        do {
            let bundle = try PKCS12Bundle.open(inputs[index], passwords: [password])
            if bundle.certificate == nil || bundle.pkcs12.keyMatchesCertificate != true { failures.add() }
        } catch {
            failures.add()
        }
    }
    // Warm-up: providers, method caches, page faults.
    _ = timeParallel(threads: arguments.threads, count: min(inputs.count, 8 * arguments.threads), work)
    let warmFailures = failures.total
    var rates: [Double] = []
    for _ in 0..<arguments.passes {
        let seconds = timeParallel(threads: arguments.threads, count: inputs.count, work)
        rates.append(Double(inputs.count) / seconds)
    }
    let failed = (failures.total - warmFailures) / arguments.passes
    print("\(summary(rates)) files=\(inputs.count) failed=\(failed) passes=\(arguments.passes)")
}

func runFloor(_ arguments: Arguments) {
    let iterations = Int32(arguments.iterations)
    let pbkdf2 = arguments.pbkdf2
    let fast = arguments.fastKDF
    if fast && !fastKDFAvailable {
        FileHandle.standardError.write(Data("bench-validate: this PKCS12Kit has no fast key derivation\n".utf8))
        exit(3)
    }
    let work: @Sendable (Int) -> Void = { index in
        let password = Array("bench-password-\(index % 7)".utf8)
        var salt = [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: 8)
        var out = [UInt8](repeating: 0, count: 32)
        if fast {
            // The MAC key from the password as BMPString (ASCII: a zero byte before each, two zero bytes after).
            let bmp: [UInt8] = password.flatMap { [0, $0] } + [0, 0]
            _ = fastPKCS12KDF(bmp, salt, Int(iterations), &out)
            for round in 0..<pbkdf2 {
                salt[0] = UInt8(truncatingIfNeeded: round)
                _ = fastPBKDF2(password, salt, Int(iterations), &out)
            }
            return
        }
        var cPassword = password.map { CChar(bitPattern: $0) } + [0]
        _ = PKCS12_key_gen_utf8(
            &cPassword, Int32(password.count), &salt, 8, Int32(PKCS12_MAC_ID), iterations, 32, &out, EVP_sha256())
        for round in 0..<pbkdf2 {
            salt[0] = UInt8(truncatingIfNeeded: round)
            _ = PKCS5_PBKDF2_HMAC(&cPassword, Int32(password.count), &salt, 8, iterations, EVP_sha256(), 32, &out)
        }
    }
    _ = timeParallel(threads: arguments.threads, count: 4 * arguments.threads, work)
    var rates: [Double] = []
    for _ in 0..<arguments.passes {
        let seconds = timeParallel(threads: arguments.threads, count: arguments.count, work)
        rates.append(Double(arguments.count) / seconds)
    }
    print("\(summary(rates)) files=\(arguments.count) failed=0 passes=\(arguments.passes)")
}

do {
    let arguments = try Arguments(Array(CommandLine.arguments.dropFirst()))
    switch arguments.mode {
    case "open": try runOpen(arguments)
    case "floor": runFloor(arguments)
    default: throw Usage(description: "unknown mode \(arguments.mode)")
    }
} catch {
    FileHandle.standardError.write(Data("bench-validate: \(error)\n".utf8))
    exit(2)
}
