import CertDropTestSupport
import Foundation
import Testing

@testable import DropPipeline

#if canImport(Glibc)
    import Glibc
#endif

/// Every item the reader emits for `paths`, by source name, with its problem code (`nil` when it was read).
private func readAll(_ paths: [String], follow: Bool = false, maxFileBytes: Int = 1 << 20) -> [(
    source: String, code: ProblemCode?, message: String?, bytes: Int
)] {
    let reader = DropReader(paths: paths, unpacker: nil, maxFileBytes: maxFileBytes, followSymlinks: follow)
    var items: [(String, ProblemCode?, String?, Int)] = []
    reader.read { item in
        switch item.content {
        case .success(let bytes): items.append((item.source, nil, nil, bytes.count))
        case .failure(let problem): items.append((item.source, problem.code, problem.message, 0))
        }
    }
    return items
}

/// A drop folder made in the test (a short path, so that a socket's name fits `sun_path`), links resolved.
private func makeDrop() -> String {
    let path = Fixtures.temporaryFolder("drop").path
    return BoundedFile.resolve(path) ?? path
}

private func write(_ text: String, _ path: String) {
    FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
}

/// Binds an AF_UNIX socket at `path`; returns its descriptor (closed by the caller).
private func bindSocket(_ path: String) -> Int32 {
    let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { buffer in
        for (index, byte) in path.utf8.enumerated() where index < buffer.count - 1 { buffer[index] = byte }
    }
    let status = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
    }
    #expect(status == 0)
    return descriptor
}

@Suite struct HostileDropTests {
    @Test func linksAreReportedNotFollowedByDefault() throws {
        let drop = makeDrop()
        defer { try? FileManager.default.removeItem(atPath: drop) }
        write("inside", drop + "/a.txt")
        #expect(symlink("/dev/zero", drop + "/zero.pfx") == 0)
        #expect(symlink("/etc/passwd", drop + "/passwd.pfx") == 0)
        #expect(symlink("a.txt", drop + "/inside-link.pfx") == 0)
        let items = readAll([drop])
        #expect(items.map(\.source) == ["a.txt", "inside-link.pfx", "passwd.pfx", "zero.pfx"].map { drop + "/" + $0 })
        for item in items.dropFirst() {
            #expect(item.code == .unsafeEntry)
            #expect(item.message == DropReader.linkNotFollowed)
        }
        #expect(items[0].code == nil && items[0].bytes == 6)
    }

    @Test func followedLinksStayInsideTheDrop() throws {
        let drop = makeDrop()
        let outside = makeDrop()
        defer {
            try? FileManager.default.removeItem(atPath: drop)
            try? FileManager.default.removeItem(atPath: outside)
        }
        write("inside", drop + "/a.txt")
        write("secret", outside + "/secret.txt")
        #expect(symlink("/dev/zero", drop + "/zero.pfx") == 0)
        #expect(symlink(outside + "/secret.txt", drop + "/out.pfx") == 0)
        #expect(symlink("../" + (outside as NSString).lastPathComponent, drop + "/outdir") == 0)
        #expect(symlink("a.txt", drop + "/in.pfx") == 0)
        let items = readAll([drop], follow: true)
        let byName = Dictionary(uniqueKeysWithValues: items.map { (($0.source as NSString).lastPathComponent, $0) })
        #expect(items.count == 5)
        #expect(byName["in.pfx"]?.code == nil && byName["in.pfx"]?.bytes == 6)
        #expect(byName["out.pfx"]?.code == .unsafePath)
        #expect(byName["outdir"]?.code == .unsafePath)
        // /dev/zero is outside the drop: refused by where it leads before what it is.
        #expect(byName["zero.pfx"]?.code == .unsafePath)
        #expect(!items.contains { $0.bytes > 6 })
    }

    @Test func aFollowedLinkToAFIFOInsideTheDropIsNotOpened() throws {
        let drop = makeDrop()
        defer { try? FileManager.default.removeItem(atPath: drop) }
        #expect(mkfifo(drop + "/pipe", 0o600) == 0)
        #expect(symlink("pipe", drop + "/link.pfx") == 0)
        let items = readAll([drop], follow: true)
        #expect(items.map(\.code) == [.unsafeEntry, .unsafeEntry])
        #expect(items[0].message == "a symbolic link to a FIFO; not read")
        #expect(items[1].message?.hasPrefix("a FIFO") == true)
        // Given on the command line, a device is an item too, never opened.
        let device = readAll(["/dev/zero"], follow: true)
        #expect(device.map(\.code) == [.unsafeEntry])
        #expect(device.first?.message?.hasPrefix("a character device") == true)
    }

    @Test func linkLoopsEndAndAreReported() throws {
        let drop = makeDrop()
        defer { try? FileManager.default.removeItem(atPath: drop) }
        try FileManager.default.createDirectory(atPath: drop + "/sub", withIntermediateDirectories: false)
        write("x", drop + "/sub/x.txt")
        #expect(symlink("..", drop + "/sub/up") == 0)
        #expect(symlink("self-b", drop + "/self-a") == 0)
        #expect(symlink("self-a", drop + "/self-b") == 0)
        #expect(symlink("sub", drop + "/again") == 0)
        let items = readAll([drop], follow: true)
        let names = items.map { String($0.source.dropFirst(drop.count + 1)) }
        #expect(names == ["again/up", "again/x.txt", "self-a", "self-b", "sub/up", "sub/x.txt"])
        let codes = Dictionary(uniqueKeysWithValues: zip(names, items.map(\.code)))
        #expect(codes["self-a"] == .unsafeEntry)
        #expect(codes["sub/up"] == .unsafeEntry)
        #expect(codes["again/up"] == .unsafeEntry)
        #expect(codes["sub/x.txt"] == .some(nil))
        #expect(codes["again/x.txt"] == .some(nil))
    }

    @Test func fifosSocketsAndDevicesAreItemsNeverOpened() throws {
        let drop = makeDrop()
        defer { try? FileManager.default.removeItem(atPath: drop) }
        // Opening a FIFO with no writer blocks a plain open: the test ends only because it is never opened.
        #expect(mkfifo(drop + "/pipe.pfx", 0o600) == 0)
        let socket = bindSocket(drop + "/sock.pfx")
        defer { close(socket) }
        let items = readAll([drop])
        #expect(items.map(\.code) == [.unsafeEntry, .unsafeEntry])
        #expect(items[0].message?.hasPrefix("a FIFO") == true)
        #expect(items[1].message?.hasPrefix("a socket") == true)
        let device = readAll(["/dev/null"])
        #expect(device.first?.code == .unsafeEntry)
        #expect(device.first?.message?.hasPrefix("a character device") == true)
    }

    @Test(arguments: [(1023, false), (1024, false), (1025, true)])
    func filesAreCappedByTheBytesRead(size: Int, tooLarge: Bool) throws {
        let drop = makeDrop()
        defer { try? FileManager.default.removeItem(atPath: drop) }
        try Data(repeating: 0x41, count: size).write(to: URL(fileURLWithPath: drop + "/f.pfx"))
        let items = readAll([drop], maxFileBytes: 1024)
        #expect(items.count == 1)
        #expect(items[0].code == (tooLarge ? .tooLarge : nil))
        #expect(items[0].bytes == (tooLarge ? 0 : size))
    }

    @Test func boundedReadsRefuseDevicesAndLinks() throws {
        #expect(
            BoundedFile.read("/dev/zero", limit: 10, followLinks: true, allowFIFO: true)
                == .failure(.notRegular(.characterDevice)))
        let drop = makeDrop()
        defer { try? FileManager.default.removeItem(atPath: drop) }
        write("0123456789", drop + "/f")
        #expect(symlink("f", drop + "/l") == 0)
        #expect(BoundedFile.read(drop + "/l", limit: 100) == .failure(.notRegular(.symbolicLink)))
        #expect(BoundedFile.read(drop + "/l", limit: 100, followLinks: true) == .success(Array("0123456789".utf8)))
        #expect(BoundedFile.read(drop + "/f", limit: 9) == .failure(.tooLarge(limit: 9)))
        #expect(BoundedFile.read(drop + "/f", limit: 10) == .success(Array("0123456789".utf8)))
    }

    @Test func topLevelLinksAreFollowedAsGiven() throws {
        let drop = makeDrop()
        defer { try? FileManager.default.removeItem(atPath: drop) }
        try FileManager.default.createDirectory(atPath: drop + "/real", withIntermediateDirectories: false)
        write("x", drop + "/real/x.txt")
        #expect(symlink(drop + "/real", drop + "/given") == 0)
        #expect(symlink(drop + "/real/x.txt", drop + "/given.txt") == 0)
        let items = readAll([drop + "/given", drop + "/given.txt"])
        #expect(items.map(\.source) == [drop + "/given/x.txt", drop + "/given.txt"])
        #expect(items.allSatisfy { $0.code == nil && $0.bytes == 1 })
    }

    @Test func countFilesCountsEveryItemWithoutOpeningOne() throws {
        let drop = makeDrop()
        defer { try? FileManager.default.removeItem(atPath: drop) }
        write("x", drop + "/x.txt")
        #expect(mkfifo(drop + "/pipe", 0o600) == 0)
        #expect(symlink("/dev/zero", drop + "/zero") == 0)
        let reader = DropReader(paths: [drop], unpacker: nil)
        #expect(reader.countFiles() == 3)
    }

    @Test func sidecarsAreCappedAndNeverFollowed() throws {
        let drop = makeDrop()
        defer { try? FileManager.default.removeItem(atPath: drop) }
        let book = PasswordBook()
        write("pw\n", drop + "/a.pfx.password")
        #expect(book.candidates(for: ["a.pfx"], sidecarPath: drop + "/a.pfx").count == 1)
        #expect(symlink(drop + "/a.pfx.password", drop + "/b.pfx.password") == 0)
        #expect(book.candidates(for: ["b.pfx"], sidecarPath: drop + "/b.pfx").isEmpty)
        #expect(mkfifo(drop + "/c.pfx.password", 0o600) == 0)
        #expect(book.candidates(for: ["c.pfx"], sidecarPath: drop + "/c.pfx").isEmpty)
        try Data(repeating: 0x41, count: PasswordBook.maxPasswordFileBytes + 1).write(
            to: URL(fileURLWithPath: drop + "/d.pfx.password"))
        #expect(book.candidates(for: ["d.pfx"], sidecarPath: drop + "/d.pfx").isEmpty)
        try Data(repeating: 0x41, count: PasswordBook.maxPasswordFileBytes).write(
            to: URL(fileURLWithPath: drop + "/e.pfx.password"))
        #expect(book.candidates(for: ["e.pfx"], sidecarPath: drop + "/e.pfx").count == 1)
    }

    @Test(arguments: [(0, true), (1, true), (2, false)])
    func passwordFilesAreCapped(extra: Int, fits: Bool) throws {
        let drop = makeDrop()
        defer { try? FileManager.default.removeItem(atPath: drop) }
        // `extra` 0 and 1: exactly at the cap and one byte less (counted with the newline).
        let size = PasswordBook.maxPasswordFileBytes - 1 + extra
        try Data(repeating: 0x41, count: size).write(to: URL(fileURLWithPath: drop + "/pw"))
        let sources = PasswordSources(passwordFile: drop + "/pw")
        if fits {
            _ = try sources.load(environment: [:], standardInput: { nil })
        } else {
            #expect(throws: PipelineError.self) { try sources.load(environment: [:], standardInput: { nil }) }
        }
    }

    @Test func passwordFilesThatAreDevicesAreRefused() {
        #expect(throws: PipelineError.self) {
            try PasswordSources(passwordFile: "/dev/zero").load(environment: [:], standardInput: { nil })
        }
        #expect(throws: PipelineError.self) {
            try PasswordSources(mapFile: "/dev/zero").load(environment: [:], standardInput: { nil })
        }
        #expect(throws: PipelineError.self) {
            try PasswordSources(readStandardInput: true).load(
                environment: [:],
                standardInput: { Data(repeating: 0x41, count: PasswordBook.maxPasswordFileBytes + 1) })
        }
    }

    /// Many names sharing one stem never pile up waiting for a partner: the grouper holds at most its bounds.
    @Test(arguments: [(7, false), (8, false), (9, true)])
    func theGrouperHoldsABoundedRun(count: Int, overflows: Bool) {
        var grouper = BundleGrouper(maxItems: 8, maxBytes: 1 << 20)
        var emitted: [String] = []
        var mostHeld = 0
        func emit(_ unit: DropUnit) {
            switch unit {
            case .single(let item): emitted.append(item.source)
            case .pemPair(let certificate, let key): emitted += [certificate.source, key.source]
            case .pairedKey(let item, _): emitted.append(item.source)
            }
        }
        let names = (0..<count).map { "d/x.\($0).crt" }
        for name in names {
            grouper.add(DropItem(source: name, relativeName: name, content: .success([0x41])), emit: emit)
            mostHeld = max(mostHeld, grouper.heldCount)
        }
        #expect(mostHeld == (overflows ? 8 : count))
        #expect(grouper.heldCount == (overflows ? 0 : count))
        grouper.flush(emit: emit)
        #expect(emitted == names)
    }

    @Test(arguments: [(1024, false), (1025, true)])
    func theGrouperHoldsBoundedBytes(size: Int, overflows: Bool) {
        var grouper = BundleGrouper(maxItems: 8, maxBytes: 2048)
        var emitted = 0
        let item = { (name: String, size: Int) in
            DropItem(source: name, relativeName: name, content: .success([UInt8](repeating: 0x41, count: size)))
        }
        grouper.add(item("d/x.crt", 1024), emit: { _ in emitted += 1 })
        grouper.add(item("d/x.key", size), emit: { _ in emitted += 1 })
        #expect(grouper.heldCount == (overflows ? 0 : 2))
        #expect(emitted == (overflows ? 2 : 0))
        grouper.flush(emit: { _ in emitted += 1 })
        #expect(emitted == 2)
    }
}
