import Foundation
import Testing

@testable import DropPipeline

/// Which certificates and keys `BundleGrouper` pairs: exactly one key beside a certificate of the same stem, in
/// the stream's order; everything else passes through as it came.
@Suite struct BundleGrouperTests {
    static let certificate = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
    static let key = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
    static let encryptedKey = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"

    static func item(_ source: String, _ text: String) -> DropItem {
        DropItem(source: source, relativeName: source, content: .success(Array(text.utf8)))
    }

    /// The units the grouper emits for `items`, written `pair(cert+key)`, `key(name->cert)` or the name alone.
    static func units(_ items: [DropItem]) -> [String] {
        var grouper = BundleGrouper()
        var units: [String] = []
        let emit = { (unit: DropUnit) in
            switch unit {
            case .single(let item): units.append(item.source)
            case .pemPair(let certificate, let key): units.append("pair(\(certificate.source)+\(key.source))")
            case .pairedKey(let key, let certificate): units.append("key(\(key.source)->\(certificate))")
            }
        }
        for item in items { grouper.add(item, emit: emit) }
        grouper.flush(emit: emit)
        return units
    }

    @Test func aCertificateAndItsKeyArePairedAndTheKeyKeepsItsPlace() {
        #expect(
            Self.units([Self.item("d/x.crt", Self.certificate), Self.item("d/x.key", Self.key)])
                == ["pair(d/x.crt+d/x.key)", "key(d/x.key->d/x.crt)"])
        // The key first (as an archive may order them): the certificate's place still comes first in its run.
        #expect(
            Self.units([Self.item("d/x.key", Self.encryptedKey), Self.item("d/x.pem", Self.certificate)])
                == ["key(d/x.key->d/x.pem)", "pair(d/x.pem+d/x.key)"])
    }

    @Test func aDERCertificatePairsToo() {
        // The shape of a DER certificate: SEQUENCE (266 bytes) { SEQUENCE (256 bytes) { … } … }.
        let der = DropItem(
            source: "d/x.der", relativeName: "x.der",
            content: .success([0x30, 0x82, 0x01, 0x0A, 0x30, 0x82, 0x01, 0x00] + [UInt8](repeating: 0, count: 262)))
        #expect(PEMShape(der) == .certificateOnly)
        #expect(
            Self.units([der, Self.item("d/x.key", Self.key)]) == ["pair(d/x.der+d/x.key)", "key(d/x.key->d/x.der)"])
    }

    @Test func twoKeysOrNoneLeaveTheRunUnpaired() {
        let twoKeys = [
            Self.item("d/x.crt", Self.certificate), Self.item("d/x.key", Self.key), Self.item("d/x.old.key", Self.key),
        ]
        #expect(Self.units(twoKeys) == twoKeys.map(\.source))
        let noKey = [Self.item("d/x.crt", Self.certificate), Self.item("d/x.cer", Self.certificate)]
        #expect(Self.units(noKey) == noKey.map(\.source))
        let keyAlone = [Self.item("d/x.key", Self.key)]
        #expect(Self.units(keyAlone) == ["d/x.key"])
    }

    @Test func theFirstOfSeveralCertificatesTakesTheKey() {
        let run = [
            Self.item("d/x.cer", Self.certificate), Self.item("d/x.crt", Self.certificate),
            Self.item("d/x.key", Self.key),
        ]
        #expect(Self.units(run) == ["pair(d/x.cer+d/x.key)", "d/x.crt", "key(d/x.key->d/x.cer)"])
    }

    @Test func aFileHoldingBothHalvesIsNotAHalf() {
        let both = [Self.item("d/x.pem", Self.certificate + Self.key), Self.item("d/x.key", Self.key)]
        #expect(Self.units(both) == both.map(\.source))
    }

    @Test func onlyTheSameStemInTheSameFolderPairs() {
        #expect(
            Self.units([Self.item("d/x.crt", Self.certificate), Self.item("d/y.key", Self.key)])
                == ["d/x.crt", "d/y.key"])
        #expect(
            Self.units([Self.item("a/x.crt", Self.certificate), Self.item("b/x.key", Self.key)])
                == ["a/x.crt", "b/x.key"])
        // Another name between the two ends the run: sources arrive sorted, so a stem's names are adjacent.
        #expect(
            Self.units([
                Self.item("d/x.crt", Self.certificate), Self.item("d/x.txt", "notes"), Self.item("d/x.key", Self.key),
            ]) == ["d/x.crt", "d/x.txt", "d/x.key"])
    }

    @Test(arguments: ["d/.crt", "d/x.txt", "d/x", "d/x.pfx"])
    func namesThatCannotBeHalvesAreNotGrouped(_ name: String) {
        #expect(BundleGrouper.groupKey(name) == nil)
    }

    @Test(arguments: [("d/x.crt", "d/x"), ("d/x.y.key", "d/x"), ("a.zip!certs/x.PEM", "a.zip!certs/x")])
    func theStemIsTheNameUpToItsFirstDot(_ name: String, _ stem: String) {
        #expect(BundleGrouper.groupKey(name) == stem)
    }

    @Test func anUnreadableHalfIsNeither() {
        let unreadable = DropItem(
            source: "d/x.key", relativeName: "x.key", content: .failure(Problem(.unreadable, "permission denied")))
        #expect(PEMShape(unreadable) == .neither)
        #expect(Self.units([Self.item("d/x.crt", Self.certificate), unreadable]) == ["d/x.crt", "d/x.key"])
    }
}
