// The raw PKCS#12 validation rate, for scripts/bench-service.sh: how many files per second PKCS12Kit opens in one
// process, with the options the service uses, so that the service's PUT rate can be compared with it.
//
//   ValidateBench SECONDS THREADS FILE PASSWORD [FILE PASSWORD ...]
//
// Prints two numbers: opens per second over all threads (wall clock), and the CPU milliseconds one open costs (user
// plus system time of the process), which other load on the machine disturbs much less. Files are used in turn, as
// the benchmark's PUTs use them.
import Dispatch
import Foundation
import PKCS12Kit

#if canImport(Glibc)
    import Glibc
#endif

/// Each thread writes its own slot; the slots are read after all threads have joined.
final class Counts: @unchecked Sendable {
    var values: [Int]
    init(_ count: Int) { values = Array(repeating: 0, count: count) }
}

/// User plus system CPU time of this process, in seconds.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func measure(seconds: Double, threads: Int, inputs: [(bytes: [UInt8], password: String)]) -> (
    rate: Double, cpuMilliseconds: Double
) {
    let counts = Counts(threads)
    let options = PKCS12Options(tryEmptyPassword: false)
    let cpuStart = cpuSeconds()
    let start = DispatchTime.now().uptimeNanoseconds
    let deadline = start + UInt64(seconds * 1e9)
    DispatchQueue.concurrentPerform(iterations: threads) { thread in
        var opened = 0
        var index = thread
        while DispatchTime.now().uptimeNanoseconds < deadline {
            let input = inputs[index % inputs.count]
            let bundle = try? PKCS12Bundle.open(
                input.bytes, passwords: [SecretBytes(utf8: input.password)], options: options)
            precondition(bundle?.pkcs12.hasPrivateKey == true, "a benchmark file did not open")
            opened += 1
            index += 1
        }
        counts.values[thread] = opened
    }
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let opened = Double(counts.values.reduce(0, +))
    return (opened / elapsed, (cpuSeconds() - cpuStart) * 1_000 / opened)
}

let arguments = CommandLine.arguments
guard arguments.count >= 5, arguments.count % 2 == 1, let seconds = Double(arguments[1]),
    let threads = Int(arguments[2]), threads > 0
else {
    FileHandle.standardError.write(
        Data("usage: ValidateBench SECONDS THREADS FILE PASSWORD [FILE PASSWORD ...]\n".utf8))
    exit(2)
}
var files: [(bytes: [UInt8], password: String)] = []
for index in stride(from: 3, to: arguments.count, by: 2) {
    guard let data = FileManager.default.contents(atPath: arguments[index]) else {
        FileHandle.standardError.write(Data("cannot read \(arguments[index])\n".utf8))
        exit(2)
    }
    files.append(([UInt8](data), arguments[index + 1]))
}
// As `CertificateServer` does: PBES2 through CertDrop's fast key derivation, or the rates are not the service's.
_ = OpenSSLRuntime.installFastKeyDerivation()
let result = measure(seconds: seconds, threads: threads, inputs: files)
print(String(format: "%.1f %.3f", result.rate, result.cpuMilliseconds))
