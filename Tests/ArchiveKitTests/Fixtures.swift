import ArchiveKit
import Foundation
import Testing

/// Builds archives for the tests with the real tools (python3's zipfile/tarfile, bsdtar, zip) in a temporary
/// directory: no binary fixture is ever checked in.
struct Fixtures: ~Copyable {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("archivekit-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs a tool (looked up on PATH) in the fixture directory; throws with its stderr when it fails.
    @discardableResult
    func run(_ tool: String, _ arguments: [String], input: [UInt8]? = nil) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        process.currentDirectoryURL = directory
        let output = Pipe()
        let errors = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = stdin
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(Data(input))
        }
        try stdin.fileHandleForWriting.close()
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw FixtureError(
                "\(tool) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): "
                    + String(decoding: stderr, as: UTF8.self))
        }
        return [UInt8](stdout)
    }

    /// Runs a python3 script in the fixture directory.
    func python(_ script: String) throws {
        try run("python3", ["-c", script])
    }

    /// Writes a file (creating its directories) and returns its bytes.
    @discardableResult
    func write(_ path: String, _ bytes: [UInt8]) throws -> [UInt8] {
        let url = directory.appendingPathComponent(path)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
        return bytes
    }

    func read(_ path: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: directory.appendingPathComponent(path)))
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Stand-ins for the files a drop holds; their exact bytes do not matter, only that they round-trip.
enum Sample {
    static let pfx: [UInt8] = [0x30, 0x82, 0x01, 0x0A] + Array(repeating: 0xA5, count: 300) + Array(0...255)
    static let text = Array("a readme, not a certificate\n".utf8)

    /// Deterministic bytes that do not compress.
    static func noise(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }
}

/// Every entry a reader yields, in order.
func collect(
    _ bytes: [UInt8],
    named name: String,
    _ reader: ArchiveReader = ArchiveReader()
) -> [ArchiveEntry] {
    var entries: [ArchiveEntry] = []
    reader.forEachEntry(in: bytes, named: name) { entries.append($0) }
    return entries
}

/// `name → code` for problems, `name → "ok"` for readable entries: one comparable summary per entry.
func summary(_ entries: [ArchiveEntry]) -> [String] {
    entries.map { entry in
        switch entry.content {
        case .success: "\(entry.name) ok"
        case .failure(let problem): "\(entry.name) \(problem.code.rawValue)"
        }
    }
}
