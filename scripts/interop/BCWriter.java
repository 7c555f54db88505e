// A PKCS#12 writer that uses BouncyCastle's own KeyStore, as an application built on bcprov would.
//
//   java -cp CLASSES:bcprov.jar BCWriter --version
//   java -cp CLASSES:bcprov.jar BCWriter STORETYPE der|ber KEY.der CHAIN.pem ALIAS PASSWORD-FILE OUT.p12
//
// STORETYPE is a KeyStore type of the BC provider ("PKCS12": 3DES key, RC2-40 certificates, SHA-1 MAC;
// "PKCS12-3DES-3DES": 3DES for both). "ber" stores the way KeyStore.store(OutputStream, char[]) does (BC
// writes BER: indefinite lengths, constructed OCTET STRINGs); "der" asks for DER with PKCS12StoreParameter.
// KEY.der is an unencrypted PKCS#8 key; CHAIN.pem holds the leaf first, then its CAs. BC writes a key the way
// it holds it: an Ed25519 key that carries its public key (every key BC's KeyPairGenerator makes) as PKCS#8 v2,
// RFC 5958 OneAsymmetricKey; one read from a v1 encoding stays v1. So that the file is what a BC application
// that generated its key writes, an Ed25519 key is handed to BC with its public key.
// The password is the whole content of PASSWORD-FILE (UTF-8), never an argument.
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Collection;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.jcajce.PKCS12StoreParameter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

public final class BCWriter {
    public static void main(String[] args) throws Exception {
        Provider bc = new BouncyCastleProvider();
        Security.addProvider(bc);
        if (args.length == 1 && args[0].equals("--version")) {
            System.out.println(bc.getVersionStr());
            return;
        }
        if (args.length != 7) {
            System.err.println("usage: BCWriter STORETYPE der|ber KEY.der CHAIN.pem ALIAS PASSWORD-FILE OUT.p12");
            System.exit(2);
        }
        String storeType = args[0];
        boolean der = args[1].equals("der");
        byte[] keyBytes = Files.readAllBytes(Paths.get(args[2]));
        char[] password = new String(Files.readAllBytes(Paths.get(args[5])), StandardCharsets.UTF_8).toCharArray();

        Certificate[] chain;
        try (InputStream in = new FileInputStream(args[3])) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            chain = certs.toArray(new Certificate[0]);
        }
        String algorithm = chain[0].getPublicKey().getAlgorithm();
        if (algorithm.equals("EdDSA")) algorithm = "Ed25519";
        if (algorithm.equals("Ed25519")) keyBytes = withPublicKey(keyBytes);
        PrivateKey key = KeyFactory.getInstance(algorithm, bc).generatePrivate(new PKCS8EncodedKeySpec(keyBytes));

        KeyStore store = KeyStore.getInstance(storeType, bc);
        store.load(null, null);
        store.setKeyEntry(args[4], key, password, chain);
        try (OutputStream out = new FileOutputStream(args[6])) {
            if (der) {
                store.store(new PKCS12StoreParameter(out, password, true));
            } else {
                store.store(out, password);
            }
        }
    }

    /** The PKCS#8 v2 (OneAsymmetricKey) form of an Ed25519 key: the same key with its public key. */
    private static byte[] withPublicKey(byte[] pkcs8) throws Exception {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(pkcs8);
        if (info.getPublicKeyData() != null) return pkcs8;
        byte[] seed = ASN1OctetString.getInstance(info.parsePrivateKey()).getOctets();
        byte[] publicKey = new Ed25519PrivateKeyParameters(seed).generatePublicKey().getEncoded();
        return new PrivateKeyInfo(info.getPrivateKeyAlgorithm(), new DEROctetString(seed), null, publicKey)
            .getEncoded("DER");
    }
}
