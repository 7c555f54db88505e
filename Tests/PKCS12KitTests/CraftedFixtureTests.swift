import CertDropTestSupport
import Foundation
import Testing

@testable import PKCS12Kit

@Suite struct CraftedFixtureTests {
    @Test func theGeneratorMadeEveryKind() {
        let files = Set(CraftedFixtures.rows.map(\.file))
        for expected in [
            "ber-indefinite.pfx", "pkcs8v2-shrouded-ed25519.pfx", "certs-1001.pfx", "bags-10001.pfx",
            "safes-255.pfx", "key-pbes2-iter-2147483647.pem",
        ] {
            #expect(files.contains(expected), "make-crafted-pkcs12.py did not write \(expected)")
        }
    }

    @Test(arguments: CraftedFixtures.pkcs12Rows)
    func opensAsExpected(row: CraftedFixtures.Row) {
        let bytes = CraftedFixtures.bytes(row.file)
        do {
            let bundle = try PKCS12Bundle.open(bytes, passwords: [SecretBytes(utf8: row.password)])
            #expect(row.expect == "ok", "\(row.file) opened; expected \(row.expect) (\(row.note))")
            #expect(bundle.certificate != nil, "\(row.file): no leaf")
        } catch {
            #expect(error.code.rawValue == row.expect, "\(row.file): \(error) (\(row.note))")
        }
    }

    @Test(arguments: CraftedFixtures.pemRows)
    func pemKeysReadAsExpected(row: CraftedFixtures.Row) throws {
        var pieces = [CraftedFixtures.bytes(row.file)]
        let certificate = row.file.replacingOccurrences(of: ".pem", with: ".crt")
        if FileManager.default.fileExists(atPath: CraftedFixtures.directory.appendingPathComponent(certificate).path) {
            pieces.append(CraftedFixtures.bytes(certificate))
        }
        do {
            let material = try PEMMaterial(pieces: pieces, passwords: [SecretBytes(utf8: row.password)])
            #expect(row.expect == "ok", "\(row.file) read; expected \(row.expect)")
            #expect(material.keyCount == 1)
        } catch {
            #expect(error.code.rawValue == row.expect, "\(row.file): \(error)")
        }
    }

    /// An iteration count over the cap is refused before anything is derived, whatever the password.
    @Test(arguments: ["mac-iter-2147483647.pfx", "key-iter-2147483647.pfx", "safe-iter-2147483647.pfx"])
    func iterationCapsComeBeforeAnyDerivation(file: String) throws {
        let reader = try? PKCS12Reader(bytes: CraftedFixtures.bytes(file), options: PKCS12Options())
        if let reader {
            let error = #expect(throws: PKCS12Error.self) {
                _ = try reader.open(candidates: [SecretBytes(utf8: "crafted-pass")])
            }
            #expect(error?.code == .iterationLimit)
            #expect(reader.derivations == 0)
        } else {
            let error = #expect(throws: PKCS12Error.self) {
                _ = try PKCS12Reader(bytes: CraftedFixtures.bytes(file), options: PKCS12Options())
            }
            #expect(error?.code == .iterationLimit)
        }
    }

    /// Each cap, just inside and exactly on it (the files are made with the defaults in mind), then just
    /// outside when the cap is lowered by one.
    @Test func capsHoldAtTheirEdges() throws {
        let certificates = CraftedFixtures.bytes("certs-1000.pfx")
        let password = [SecretBytes(utf8: CraftedFixtures.password("certs-1000.pfx"))]
        let opened = try PKCS12Bundle.open(certificates, passwords: password)
        #expect(opened.pkcs12.certificates == PKCS12Options.defaultMaxCertificates)
        let lowered = #expect(throws: PKCS12Error.self) {
            _ = try PKCS12Bundle.open(
                certificates, passwords: password,
                options: PKCS12Options(maxCertificates: PKCS12Options.defaultMaxCertificates - 1))
        }
        #expect(lowered?.code == .tooManyCertificates)

        let derivations = CraftedFixtures.bytes("safes-254.pfx")
        let derivationPassword = [SecretBytes(utf8: CraftedFixtures.password("safes-254.pfx"))]
        let reader = try PKCS12Reader(bytes: derivations, options: PKCS12Options(tryEmptyPassword: false))
        _ = try reader.open(candidates: derivationPassword)
        #expect(reader.derivations == PKCS12Options.defaultMaxDerivations)
        let over = #expect(throws: PKCS12Error.self) {
            _ = try PKCS12Bundle.open(
                derivations, passwords: derivationPassword,
                options: PKCS12Options(maxDerivations: PKCS12Options.defaultMaxDerivations - 1))
        }
        #expect(over?.code == .tooManyDerivations)
    }
}
