import Foundation

/// Test fixtures made by the project's own generator, `scripts/make-pkcs12-fixtures.sh`, once per test process.
public enum Fixtures {
    /// The repository's root folder.
    public static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    /// The folder the generator wrote, made on first use.
    public static let directory: URL = {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("certdrop-fixtures-\(ProcessInfo.processInfo.processIdentifier)")
        let script = repositoryRoot.appendingPathComponent("scripts/make-pkcs12-fixtures.sh").path
        let status = run(["/bin/bash", script, folder.path])
        precondition(status == 0, "the fixture generator failed (exit \(status)); run \(script) by hand to see why")
        return folder
    }()

    /// The bundled samples' folder (`samples/`, with `drop/` and `passwords.json`), once its time-sensitive sample
    /// has been made relative to today by `scripts/make-expiring-sample.sh` (once per test process).
    public static let samples: URL = {
        let script = repositoryRoot.appendingPathComponent("scripts/make-expiring-sample.sh").path
        let status = run(["/bin/bash", script])
        precondition(status == 0, "scripts/make-expiring-sample.sh failed (exit \(status))")
        return repositoryRoot.appendingPathComponent("samples")
    }()

    /// A fresh drop of `count` distinct certificates made by `scripts/make-drop.sh` (with its `passwords.json`).
    public static func drop(count: Int, password: String = "drop-pw") -> URL {
        let folder = temporaryFolder("drop")
        let script = repositoryRoot.appendingPathComponent("scripts/make-drop.sh").path
        let status = run(["/bin/bash", script, folder.path, String(count), password])
        precondition(status == 0, "scripts/make-drop.sh failed (exit \(status))")
        return folder
    }

    /// The path of a fixture.
    public static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// The bytes of a fixture.
    public static func bytes(_ name: String) -> [UInt8] {
        (try? [UInt8](Data(contentsOf: directory.appendingPathComponent(name)))) ?? []
    }

    /// The generator's password map (`passwords.json`).
    public static let passwords: [String: String] = {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("passwords.json")),
            let map = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return [:] }
        return map.compactMapValues { $0 as? String }
    }()

    /// The password the map lists for a fixture.
    public static func password(_ name: String) -> String? { passwords[name] }

    /// Runs a command and returns its exit status (output goes to a pipe and is returned by ``output(_:)``).
    @discardableResult
    public static func run(_ arguments: [String], input: Data? = nil) -> Int32 {
        output(arguments, input: input).status
    }

    /// Runs a command and returns its exit status and standard output.
    public static func output(_ arguments: [String], input: Data? = nil, environment: [String: String]? = nil)
        -> (status: Int32, stdout: Data, stderr: Data)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        if let environment { process.environment = environment }
        let stdout = Pipe()
        let stderr = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        do {
            try process.run()
        } catch {
            return (127, Data(), Data("\(error)".utf8))
        }
        if let input { stdin.fileHandleForWriting.write(input) }
        try? stdin.fileHandleForWriting.close()
        // Read both pipes while the process runs, so neither fills up and blocks it.
        let errorData = LockedData()
        let reader = Thread { errorData.set(stderr.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let outData = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorData.isSet { usleep(1000) }
        return (process.terminationStatus, outData, errorData.value)
    }

    /// A fresh temporary folder.
    public static func temporaryFolder(_ label: String = "test") -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "certdrop-\(label)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// `@unchecked Sendable`: guarded by its lock.
private final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?

    func set(_ value: Data) { lock.withLock { data = value } }
    var isSet: Bool { lock.withLock { data != nil } }
    var value: Data { lock.withLock { data ?? Data() } }
}
