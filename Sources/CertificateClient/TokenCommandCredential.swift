import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A bearer token printed by a command (`az account get-access-token --query accessToken -o tsv`), run with
/// `/bin/sh -c` when a token is needed:
///
/// - it must finish within ``timeout`` (default 30 s), else it is killed with its whole process group
///   (`token-command-timeout`); a non-zero exit is `token-command-failed`; output that is empty, longer than
///   16 KiB, or not one token (spaces, control characters) is `token-command-output`;
/// - its environment is this process's without the `CERTDROP_*` variables (such as `CERTDROP_PASSWORD`), except
///   `CERTDROP_HOME`, so that `certdrop token --bearer` works as a token command;
/// - the token is reused until two minutes before it expires: a JWT's `exp` claim, else ``defaultLifetime``
///   (default 10 minutes) after it was printed; a token the service refuses with `401` is dropped and the command
///   run again, once.
public actor TokenCommandCredential: CredentialProvider {
    /// How long the command may run by default.
    public static let defaultTimeout: TimeInterval = 30
    /// How long a token that is not a JWT is taken to live by default.
    public static let defaultLifetime: TimeInterval = 600
    /// How long before its expiry a token is renewed.
    public static let renewalMargin: TimeInterval = 120
    /// The most output read from the command.
    static let maximumOutput = 16_384

    private let command: String
    private let timeout: TimeInterval
    private let lifetime: TimeInterval
    private let environment: [String: String]
    private let clock: @Sendable () -> Date
    private var current: (header: String, renewAt: Date)?
    private var running: Task<(header: String, renewAt: Date), any Error>?
    /// How many times the command has been run.
    public private(set) var runs = 0

    /// Runs `command` when a token is needed, for at most `timeout` seconds; a token that is not a JWT is reused
    /// for `defaultLifetime` seconds less the margin. `environment` is the one the child's is made from; `clock`
    /// tells the time that tokens are renewed by.
    public init(
        command: String, timeout: TimeInterval = defaultTimeout, defaultLifetime: TimeInterval = defaultLifetime,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        clock: @escaping @Sendable () -> Date = Date.init
    ) {
        self.clock = clock
        self.command = command
        self.timeout = timeout.isFinite && timeout > 0 ? timeout : Self.defaultTimeout
        self.lifetime = defaultLifetime.isFinite ? max(0, defaultLifetime) : Self.defaultLifetime
        self.environment = environment
    }

    public func authorization() async throws -> String {
        if let current, clock() < current.renewAt { return current.header }
        if let running { return try await running.value.header }
        runs += 1
        let task = Task { [command, timeout, lifetime, environment, clock] in
            let token = try await Self.fetch(
                command: command, environment: Self.childEnvironment(environment), timeout: timeout)
            return (
                header: "Bearer " + token,
                renewAt: Self.renewalDate(token: token, fetched: clock(), defaultLifetime: lifetime)
            )
        }
        running = task
        defer { running = nil }
        let fetched = try await task.value
        current = fetched
        return fetched.header
    }

    public func renew(rejected header: String) async -> Bool {
        if current?.header == header { current = nil }
        return true
    }

    /// The child's environment: `environment` without the `CERTDROP_*` variables but `CERTDROP_HOME`.
    static func childEnvironment(_ environment: [String: String]) -> [String: String] {
        environment.filter { !$0.key.hasPrefix("CERTDROP_") || $0.key == "CERTDROP_HOME" }
    }

    /// When a token printed at `fetched` is to be renewed: ``renewalMargin`` before its expiry, a JWT's `exp` or
    /// `defaultLifetime` after `fetched`.
    static func renewalDate(token: String, fetched: Date, defaultLifetime: TimeInterval) -> Date {
        let expiry = jwtExpiry(token) ?? fetched.addingTimeInterval(defaultLifetime)
        return expiry.addingTimeInterval(-renewalMargin)
    }

    /// A JWT's `exp` claim (`header.payload.signature`, the payload base64url JSON), when the token is one.
    static func jwtExpiry(_ token: String) -> Date? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[1].utf8.count <= maximumOutput else { return nil }
        var base64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        guard let payload = Data(base64Encoded: base64),
            let claims = try? JSONSerialization.jsonObject(with: payload) as? [String: Any],
            let exp = (claims["exp"] as? NSNumber)?.doubleValue, exp.isFinite, exp > 0
        else { return nil }
        return Date(timeIntervalSince1970: exp)
    }

    /// The token in the command's output: one line, its `Bearer ` prefix dropped, visible ASCII only.
    static func token(in output: [UInt8]) throws(ClientError) -> String {
        var text = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("Bearer ") { text = String(text.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
        guard !text.isEmpty else { throw ClientError.tokenCommandOutput("the token command printed nothing") }
        guard text.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw ClientError.tokenCommandOutput(
                "the token command printed more than one token (spaces, several lines or control characters)")
        }
        return text
    }

    private static func fetch(command: String, environment: [String: String], timeout: TimeInterval) async throws
        -> String
    {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    let output = try run(command: command, environment: environment, timeout: timeout)
                    continuation.resume(returning: try token(in: output))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// Runs `/bin/sh -c command` in its own process group with `environment`, stdout to a pipe, stdin and stderr
    /// shared; kills the group when `timeout` passes first. Blocks the calling thread.
    static func run(command: String, environment: [String: String], timeout: TimeInterval) throws(ClientError)
        -> [UInt8]
    {
        var pipeEnds: [Int32] = [-1, -1]
        guard pipe(&pipeEnds) == 0 else {
            throw ClientError.tokenCommandFailed("cannot run the token command (no pipe)")
        }
        let (readEnd, writeEnd) = (pipeEnds[0], pipeEnds[1])
        // Neither end leaks into other children; the child's stdout is a dup, which keeps no close-on-exec.
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_addclose(&actions, writeEnd)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let words: [String] = ["/bin/sh", "-c", command]
        let arguments: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        let variables: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in arguments { free(pointer) }
            for pointer in variables { free(pointer) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, &attributes, arguments, variables)
        close(writeEnd)
        defer { close(readEnd) }
        guard spawned == 0 else {
            throw ClientError.tokenCommandFailed("cannot run the token command (error \(spawned))")
        }
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(min(timeout, 86_400) * 1_000_000_000)
        func left() -> Int { Int((Int64(bitPattern: deadline &- DispatchTime.now().uptimeNanoseconds)) / 1_000_000) }
        func stop(_ error: ClientError) -> ClientError {
            kill(-pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            return error
        }
        let timedOut = ClientError.tokenCommandTimeout(
            "the token command did not finish within \(Int(timeout.rounded(.up))) s; it was killed")
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let remaining = left()
            guard remaining > 0 else { throw stop(timedOut) }
            var poller = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(remaining, 1000)))
            if ready < 0 && errno == EINTR || ready == 0 { continue }
            guard ready > 0 else {
                throw stop(ClientError.tokenCommandFailed("cannot read the token command"))
            }
            let count = read(readEnd, &buffer, buffer.count)
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw stop(ClientError.tokenCommandFailed("cannot read the token command"))
            }
            output += buffer[0..<count]
            guard output.count <= maximumOutput else {
                throw stop(
                    ClientError.tokenCommandOutput("the token command printed more than \(maximumOutput) bytes"))
            }
        }
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped < 0 && errno != EINTR {
                throw ClientError.tokenCommandFailed("cannot wait for the token command")
            }
            guard left() > 0 else { throw stop(timedOut) }
            usleep(5_000)
        }
        if status & 0x7F != 0 {
            throw ClientError.tokenCommandFailed("the token command was killed by signal \(status & 0x7F)")
        }
        let exit = (status >> 8) & 0xFF
        guard exit == 0 else {
            throw ClientError.tokenCommandFailed("the token command failed (exit \(exit))")
        }
        return output
    }
}
