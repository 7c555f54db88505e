#!/usr/bin/env bash
# make-interop-fixtures.sh OUTDIR
#
# Generates an interoperability set: PKCS#12 files written by every PKCS#12 writer this machine has, each
# with its default settings and a few variants, and the facts the `openssl` CLI (OpenSSL 3.x) reads from
# each. It installs nothing (scripts/install-interop-writers.sh does). The helpers it shares with
# make-pkcs12-fixtures.sh (OUTDIR staging, pwfile, the CAs) are in scripts/lib/fixture-pki.sh. Writers:
#   openssl        the openssl CLI: defaults, -legacy, -nomac, -certpbe NONE, -iter 1, -macalg sha512
#   gnutls         GnuTLS certtool --to-p12 (one encrypted safe per certificate, 600,000 iterations)
#   nss            NSS pk12util -o from an NSS database (BER, 600,000 iterations)
#   keytool        Java keytool -importkeystore, default and -J-Dkeystore.pkcs12.legacy
#   bouncycastle   BouncyCastle's PKCS12 KeyStore (scripts/interop/BCWriter.java, bcprov.jar): BER;
#                  Ed25519 keys as PKCS#8 v2, which OpenSSL 3.0 cannot read
#   go             software.sslmate.com/src/go-pkcs12 (scripts/interop/go-writer), built offline from
#                  Debian's golang-sslmate-src-go-pkcs12-dev in GOPATH mode: MAC iteration count 1
#   python         pyca cryptography (scripts/interop/pyca_writer.py)
# (scripts/interop/evp_pkey_bits.py asks libcrypto for the size of an Ed25519 key, which the CLI does not print.)
# Keys: RSA-2048, RSA-3072, EC P-256, P-384 and Ed25519, where the writer takes them. Every file holds its own
# leaf "CN=<file stem>.interop.certdrop.test, O=CertDrop Test" (3650 days), mostly with the intermediate and
# root "CertDrop Interop Intermediate CA" / "CertDrop Interop Root CA" as a chain.
#
# Outputs (OUTDIR is replaced only at the end, and only if it is empty or an earlier output of this script):
#   OUTDIR/*.p12          the files
#   OUTDIR/passwords.json file name -> password (exact UTF-8)
#   OUTDIR/interop.tsv    one line per file, with a header line naming the columns:
#       file writer version expect encoding mac_algorithm mac_iterations certificates has_key thumbprint
#       subject not_after key_algorithm key_bits curve layout description
#     read with the openssl CLI: `expect` is `ok`, or the error code a reader should give for a file that
#     OpenSSL 3.0 itself cannot read (e.g. `unsupported-format`); `encoding` is `ber` when the file starts
#     30 80 (indefinite length), else `der`; `mac_*` are `-` without a MAC; thumbprint (SHA-1, upper-case
#     hex), subject (most specific part first, ", " between parts), not_after (ISO 8601 UTC), key_* and
#     curve are the leaf's (the certificate whose public key is the private key's); `layout` is what
#     `openssl pkcs12 -info` lists: the safes and their bags, with their encryption.
#   OUTDIR/skipped.tsv    writer <TAB> why: a writer that is not installed (nothing of it in interop.tsv)
#   OUTDIR/failed.tsv     writer <TAB> why: a writer that is installed but failed (exit status 3 then)
# Exit status: 0 when every installed writer produced its files, 3 when some failed (OUTDIR is still written,
# failed.tsv says which), 1 on any other error, 2 on bad usage.
#
# Passwords never appear on a command line: each is written with printf (exact bytes) to a file in a private
# temp dir and passed as file:F (openssl), -w F (pk12util), :file F (keytool), a template file (certtool, in
# batch mode) or a path argument (the Java, Go and Python writers). The empty password's file holds a single
# "\n" for openssl (which strips it and fails on a zero-byte file); the Python writer gets a zero-byte one.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib/fixture-pki.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib/fixture-pki.sh"

[ $# -eq 1 ] || usage
[ -n "$1" ] || usage
HERE=$(cd "$(dirname "$0")" && pwd)
require_openssl3 "needed to read RC2-40 files"

# Builds in the staging directory $OUT, with the private temp dir $T; publish_outdir moves it to OUTDIR.
stage_outdir "$1" interop.tsv certdrop-interop
mkdir -p "$T/leaf" "$T/rows" "$T/facts"
: >"$T/listed.tsv"
: >"$T/skipped.tsv"
: >"$T/failed.tsv"

# Run a command quietly; on failure show its stderr and stop.
q() {
    local log="$T/log.$BASHPID" # expanded here: in a redirection of an external command it is the child's
    if ! "$@" >"$log" 2>&1; then
        echo "$0: $1 failed: $*" >&2
        cat "$log" >&2
        return 1
    fi
}
ossl() { q openssl "$@"; }

# rawpw NAME BYTES: the exact bytes, even when empty (the library's pwfile, for openssl, writes the empty
# password as "\n"); prints the path.
rawpw() {
    local f="$T/pw/${1//\//_}.raw"
    printf '%s' "$2" >"$f"
    printf '%s' "$f"
}

CFG="$T/openssl.cnf"
write_cnf   # ext_root, ext_int, ext_leaf_rsa (RSA leaves), ext_leaf_sig (EC and Ed25519 leaves)

# ---------------------------------------------------------------- keys and CAs
# One key per algorithm, shared by the writers (RSA-3072 key generation is slow); a leaf per file.
K="$T/keys"
mkdir -p "$K"
genrsa "$K/root.key" 2048
genrsa "$K/int.key" 2048
genrsa "$K/rsa2048.key" 2048
genrsa "$K/rsa3072.key" 3072
genec "$K/p256.key" P-256
genec "$K/p384.key" P-384
ossl genpkey -algorithm ED25519 -out "$K/ed25519.key"
for k in rsa2048 rsa3072 p256 p384 ed25519; do
    ossl pkcs8 -topk8 -nocrypt -in "$K/$k.key" -outform DER -out "$K/$k.der"
done

make_cas "CertDrop Interop" "$K" "$T/cas.pem"   # $T/root.crt, $T/int.crt

# leaf STEM KEY: a CA-issued leaf for file STEM.p12 with key KEY (rsa2048, rsa3072, p256, p384, ed25519).
# Writes $T/leaf/STEM.crt and $T/leaf/STEM.chain.pem (leaf, intermediate, root).
leaf() {
    local stem=$1 key=$2 ext=ext_leaf_sig
    case "$key" in rsa*) ext=ext_leaf_rsa ;; esac
    ossl req -new -config "$CFG" -key "$K/$key.key" -subj "/O=CertDrop Test/CN=$stem.interop.certdrop.test" \
        -addext "subjectAltName=DNS:$stem.interop.certdrop.test" \
        -CA "$T/int.crt" -CAkey "$K/int.key" -days 3650 -sha256 \
        -set_serial "$(serial)" -extensions "$ext" -out "$T/leaf/$stem.crt"
    cat "$T/leaf/$stem.crt" "$T/cas.pem" >"$T/leaf/$stem.chain.pem"
}

# An openssl-made source file for writers that import one (NSS, keytool): OpenSSL 3 defaults.
# source STEM KEY PWFILE: writes $T/leaf/STEM.src.p12 (friendlyName STEM) from the leaf and chain.
source_p12() {
    ossl pkcs12 -export -in "$T/leaf/$1.chain.pem" -inkey "$K/$2.key" -name "$1" \
        -passout "file:$3" -out "$T/leaf/$1.src.p12"
}

# ---------------------------------------------------------------- reading the facts
LF=$'\n'
# facts WRITER VERSION FILE PASSWORD EXPECT DESCRIPTION: reads OUT/FILE with the openssl CLI and appends its
# line to $T/rows/WRITER.tsv. Fails when OpenSSL's verdict disagrees with EXPECT.
facts() {
    local writer=$1 version=$2 file=$3 password=$4 expect=$5 description=$6
    local f="$OUT/$file" d="$T/facts/$file" pw
    pw=$(pwfile "read-$file" "$password")
    mkdir -p "$d"
    local encoding=der
    [ "$(head -c 2 "$f" | od -An -tx1 | tr -d ' \n')" = 3080 ] && encoding=ber

    local readable=1
    openssl pkcs12 -legacy -in "$f" -passin "file:$pw" -info -nodes -out "$d/all.pem" 2>"$d/info" || readable=0
    if [ $readable = 1 ] && [ "$expect" != ok ]; then
        echo "$0: $file: openssl reads it, but it was expected to give $expect" >&2
        return 1
    fi
    if [ $readable = 0 ]; then
        if [ "$expect" = ok ]; then
            echo "$0: $file: openssl cannot read it:" >&2
            cat "$d/info" >&2
            return 1
        fi
        # What openssl can still read: the certificates.
        openssl pkcs12 -legacy -in "$f" -passin "file:$pw" -info -nokeys -out "$d/all.pem" 2>"$d/info" || true
    fi

    # MAC: "MAC: sha256, Iteration 2048"; none without one.
    local mac_alg=- mac_iter=-
    local mac_line
    mac_line=$(grep -m1 '^MAC: ' "$d/info" || true)
    if [ -n "$mac_line" ] && [[ "$mac_line" =~ ^MAC:\ ([A-Za-z0-9-]+),\ Iteration\ ([0-9]+) ]]; then
        mac_alg=$(printf '%s' "${BASH_REMATCH[1]}" | tr '[:lower:]' '[:upper:]')
        mac_iter=${BASH_REMATCH[2]}
    fi

    # The safes and their bags, as -info lists them.
    local layout
    layout=$(awk '
        function close_safe() { if (s != "") { out = out (out == "" ? "" : " + ") s "}" } s = "" }
        /^PKCS7 Data/ { close_safe(); s = "data{"; n = 0; next }
        /^PKCS7 Encrypted data: / { close_safe(); sub(/^PKCS7 Encrypted data: /, ""); s = "encrypted(" $0 "){"; n = 0; next }
        function bag(b) { s = s (n++ ? ", " : "") b }
        /^Shrouded Keybag: / { sub(/^Shrouded Keybag: /, ""); bag("shrouded-key(" $0 ")"); next }
        /^Key bag/ { bag("key"); next }
        /^Certificate bag/ { bag("cert"); next }
        END { close_safe(); print out }
    ' "$d/info")
    [ -n "$layout" ] || layout=-

    # Split the PEM output: certificates cert.N.pem, the key key.pem.
    rm -f "$d"/cert.*.pem "$d/key.pem"
    awk -v d="$d" '
        /^-----BEGIN CERTIFICATE-----/ { n++; f = d "/cert." n ".pem" }
        /^-----BEGIN (ENCRYPTED |RSA |EC )?PRIVATE KEY-----/ { f = d "/key.pem" }
        f != "" { print > f }
        /^-----END / { if (f != "") close(f); f = "" }
    ' "$d/all.pem"
    local certs=0 has_key=0 c
    for c in "$d"/cert.*.pem; do [ -e "$c" ] && certs=$((certs + 1)); done
    [ -s "$d/key.pem" ] && has_key=1

    # The leaf: the certificate with the private key's public key; without a key, the first that is no CA.
    local leafpem="" keypub=""
    if [ $has_key = 1 ]; then keypub=$(openssl pkey -in "$d/key.pem" -pubout 2>/dev/null || true); fi
    for c in "$d"/cert.*.pem; do
        [ -e "$c" ] || continue
        if [ -n "$keypub" ]; then
            [ "$(openssl x509 -in "$c" -noout -pubkey)" = "$keypub" ] && { leafpem=$c; break; }
        elif ! openssl x509 -in "$c" -noout -ext basicConstraints 2>/dev/null | grep -q 'CA:TRUE'; then
            leafpem=$c
            break
        fi
    done
    local thumb=- subject=- not_after=- key_alg=- key_bits=- curve=-
    if [ -n "$leafpem" ]; then
        thumb=$(openssl x509 -in "$leafpem" -noout -fingerprint -sha1 | sed 's/^.*=//; s/://g')
        subject=$(openssl x509 -in "$leafpem" -noout -subject -nameopt RFC2253,-esc_msb,sep_comma_plus_space \
            | sed 's/^subject=//')
        not_after=$(openssl x509 -in "$leafpem" -noout -enddate -dateopt iso_8601 | sed 's/^notAfter=//; s/ /T/')
        local text
        text=$(openssl x509 -in "$leafpem" -noout -text)
        case "$(printf '%s\n' "$text" | sed -n 's/^ *Public Key Algorithm: //p' | head -1)" in
            rsaEncryption) key_alg=RSA ;;
            id-ecPublicKey) key_alg=EC ;;
            ED25519) key_alg=Ed25519 ;;
            *) key_alg=unknown ;;
        esac
        key_bits=$(printf '%s\n' "$text" | sed -n 's/^ *\(RSA \)\{0,1\}Public-Key: (\([0-9]*\) bit).*/\2/p' | head -1)
        # The CLI prints no size for Ed25519: ask libcrypto's EVP_PKEY_get_bits, what every API caller sees.
        if [ "$key_alg" = Ed25519 ]; then
            openssl x509 -in "$leafpem" -noout -pubkey | openssl pkey -pubin -outform DER -out "$d/leaf.pub.der"
            key_bits=$(python3 "$HERE/interop/evp_pkey_bits.py" "$d/leaf.pub.der")
        fi
        [ -n "$key_bits" ] || key_bits=-
        curve=$(printf '%s\n' "$text" | sed -n 's/^ *ASN1 OID: //p' | head -1)
        [ -n "$curve" ] || curve=-
    fi
    local field
    for field in "$file" "$writer" "$version" "$expect" "$description" "$layout" "$subject"; do
        case "$field" in *$'\t'* | *"$LF"*) echo "$0: $file: a field holds a tab or newline" >&2; return 1 ;; esac
    done
    printf '%s\n' "$file	$writer	$version	$expect	$encoding	$mac_alg	$mac_iter	$certs	$has_key	$thumb	$subject	$not_after	$key_alg	$key_bits	$curve	$layout	$description" \
        >>"$T/rows/$writer.tsv"
    printf '%s\t%s\n' "$file" "$password" >>"$T/listed.$writer.tsv"
}

# ---------------------------------------------------------------- the writers
# Each gen_WRITER runs in a subshell with -e; what it wrote is kept only if all of it succeeded.
# Each missing_WRITER prints why the writer is not installed (nothing when it is).

missing_openssl() { :; }
gen_openssl() {
    local v
    v="OpenSSL $(openssl version | awk '{print $2}')"
    # one STEM KEY PASSWORD EXPECT DESCRIPTION [pkcs12 -export options...]
    one() {
        local stem=$1 key=$2 password=$3 expect=$4 description=$5
        shift 5
        leaf "$stem" "$key"
        ossl pkcs12 -export -in "$T/leaf/$stem.chain.pem" -inkey "$K/$key.key" -name "$stem" \
            -passout "file:$(pwfile "$stem" "$password")" -out "$OUT/$stem.p12" "$@"
        facts openssl "$v" "$stem.p12" "$password" "$expect" "$description"
    }
    one openssl-default-rsa2048 rsa2048 ossl-pw ok "openssl pkcs12 -export defaults; RSA-2048 + chain"
    one openssl-default-rsa3072 rsa3072 ossl-pw ok "openssl pkcs12 -export defaults; RSA-3072 + chain"
    one openssl-default-p384 p384 ossl-pw ok "openssl pkcs12 -export defaults; EC P-384 + chain"
    one openssl-default-ed25519 ed25519 ossl-pw ok "openssl pkcs12 -export defaults; Ed25519 + chain"
    one openssl-legacy-rsa2048 rsa2048 ossl-legacy-pw ok "-legacy (RC2-40 certificates, 3DES key, SHA-1 MAC); RSA-2048" \
        -legacy
    one openssl-nomac-p256 p256 ossl-nomac-pw ok "-nomac (no MAC, certificates in plain data); EC P-256" -nomac
    one openssl-certpbe-none-rsa2048 rsa2048 ossl-plain-pw ok \
        "-certpbe NONE (certificates in plain data, SHA-256 MAC); RSA-2048" -certpbe NONE
    one openssl-iter1-p256 p256 ossl-iter-pw ok "-iter 1 (one iteration for the bags and the MAC); EC P-256" -iter 1
    one openssl-macsha512-rsa2048 rsa2048 ossl-sha512-pw ok "-macalg sha512; RSA-2048" -macalg sha512
}

missing_gnutls() { command -v certtool >/dev/null || echo "certtool not found (package gnutls-bin)"; }
gen_gnutls() {
    local v
    v="GnuTLS certtool $(certtool --version | head -1 | awk '{print $NF}')"
    # one STEM KEY PASSWORD DESCRIPTION [certtool options...]
    one() {
        local stem=$1 key=$2 password=$3 description=$4
        shift 4
        case "$password" in *'"'* | *'\'* | *"$LF"*) echo "$0: certtool template cannot hold that password" >&2; return 1 ;; esac
        leaf "$stem" "$key"
        # In batch mode (a template), certtool takes the PKCS#12 password from the template's "password".
        printf 'password = "%s"\n' "$password" >"$T/pw/$stem.certtool.cfg"
        q certtool --to-p12 --load-privkey "$K/$key.key" --load-certificate "$T/leaf/$stem.chain.pem" \
            --p12-name "$stem" --template "$T/pw/$stem.certtool.cfg" --outder --outfile "$OUT/$stem.p12" "$@" \
            </dev/null
        facts gnutls "$v" "$stem.p12" "$password" ok "$description"
    }
    one gnutls-default-rsa2048 rsa2048 gnutls-pw "certtool --to-p12 defaults (AES-128, 600,000 iterations); RSA-2048 + chain"
    one gnutls-default-ed25519 ed25519 gnutls-pw "certtool --to-p12 defaults; Ed25519 + chain"
    one gnutls-3des-p384 p384 gnutls-3des-pw "certtool --to-p12 --pkcs-cipher 3des-pkcs12; EC P-384 + chain" \
        --pkcs-cipher 3des-pkcs12
}

missing_nss() {
    command -v pk12util >/dev/null && command -v certutil >/dev/null \
        || echo "pk12util/certutil not found (package libnss3-tools)"
}
gen_nss() {
    local v db="$T/nssdb" dbpw
    v="NSS pk12util $(dpkg-query -W -f='${Version}' libnss3-tools 2>/dev/null | sed 's/^[0-9]*://; s/-[^-]*$//')"
    [ "$v" != "NSS pk12util " ] || v="NSS pk12util (version unknown)"
    mkdir -p "$db"
    dbpw=$(pwfile nss-db "")
    q certutil -N -d "sql:$db" -f "$dbpw"
    # one STEM KEY PASSWORD DESCRIPTION [pk12util -o options...]: imports an openssl-made file, exports it.
    one() {
        local stem=$1 key=$2 password=$3 description=$4 pw
        shift 4
        leaf "$stem" "$key"
        pw=$(pwfile "$stem" "$password")
        source_p12 "$stem" "$key" "$pw"
        q pk12util -i "$T/leaf/$stem.src.p12" -d "sql:$db" -k "$dbpw" -w "$pw"
        q pk12util -o "$OUT/$stem.p12" -n "$stem" -d "sql:$db" -k "$dbpw" -w "$pw" "$@"
        facts nss "$v" "$stem.p12" "$password" ok "$description"
    }
    one nss-default-rsa2048 rsa2048 nss-pw "pk12util -o defaults (BER; AES-256 key, AES-128 certificates, 600,000 iterations); RSA-2048 + chain"
    one nss-default-p384 p384 nss-pw "pk12util -o defaults; EC P-384 + chain"
}

missing_keytool() { command -v keytool >/dev/null || echo "keytool not found (a JDK)"; }
gen_keytool() {
    local v java
    java=$(dirname "$(readlink -f "$(command -v keytool)")")/java
    v="Java keytool $("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p')"
    # one STEM KEY PASSWORD DESCRIPTION [keytool -J options...]: -importkeystore from an openssl-made file.
    one() {
        local stem=$1 key=$2 password=$3 description=$4 pw
        shift 4
        leaf "$stem" "$key"
        pw=$(pwfile "$stem" "$password")
        source_p12 "$stem" "$key" "$pw"
        q keytool "$@" -importkeystore -noprompt \
            -srckeystore "$T/leaf/$stem.src.p12" -srcstoretype PKCS12 -srcstorepass:file "$pw" -srcalias "$stem" \
            -destkeystore "$OUT/$stem.p12" -deststoretype PKCS12 -deststorepass:file "$pw" -destalias "$stem"
        facts keytool "$v" "$stem.p12" "$password" ok "$description"
    }
    one keytool-default-rsa2048 rsa2048 keytool-pw "keytool -importkeystore defaults (AES-256, 10,000 iterations); RSA-2048 + chain"
    one keytool-default-p384 p384 keytool-pw "keytool defaults; EC P-384 + chain"
    one keytool-default-ed25519 ed25519 keytool-pw "keytool defaults; Ed25519 + chain"
    one keytool-legacy-rsa2048 rsa2048 keytool-legacy-pw \
        "keytool -J-Dkeystore.pkcs12.legacy (3DES key, RC2-40 certificates, SHA-1 MAC 100,000); RSA-2048 + chain" \
        -J-Dkeystore.pkcs12.legacy
    one keytool-legacy-p256 p256 keytool-legacy-pw "keytool -J-Dkeystore.pkcs12.legacy; EC P-256 + chain" \
        -J-Dkeystore.pkcs12.legacy
}

BCPROV=${BCPROV:-/usr/share/java/bcprov.jar}
missing_bouncycastle() {
    if ! command -v javac >/dev/null || ! command -v java >/dev/null; then
        echo "javac/java not found (a JDK)"
    elif [ ! -f "$BCPROV" ]; then
        echo "$BCPROV not found (package libbcprov-java)"
    fi
}
gen_bouncycastle() {
    local v classes="$T/bc-classes"
    mkdir -p "$classes"
    q javac -nowarn -d "$classes" -cp "$BCPROV" "$HERE/interop/BCWriter.java"
    v="BouncyCastle $(java -cp "$classes:$BCPROV" BCWriter --version)"
    # one STEM KEY PASSWORD STORETYPE der|ber EXPECT DESCRIPTION
    one() {
        local stem=$1 key=$2 password=$3 type=$4 encoding=$5 expect=$6 description=$7
        leaf "$stem" "$key"
        q java -cp "$classes:$BCPROV" BCWriter "$type" "$encoding" "$K/$key.der" "$T/leaf/$stem.chain.pem" "$stem" \
            "$(rawpw "$stem" "$password")" "$OUT/$stem.p12"
        facts bouncycastle "$v" "$stem.p12" "$password" "$expect" "$description"
    }
    one bc-default-rsa2048 rsa2048 bc-pw PKCS12 ber ok \
        "KeyStore PKCS12 (BC) store(OutputStream, char[]): BER, 3DES key, RC2-40 certificates; RSA-2048 + chain"
    one bc-default-ed25519 ed25519 bc-pw PKCS12 ber unsupported-format \
        "KeyStore PKCS12 (BC) defaults; Ed25519 key written as PKCS#8 v2 (RFC 5958 OneAsymmetricKey), which OpenSSL 3.0 cannot read"
    one bc-3des-der-p384 p384 bc-der-pw PKCS12-3DES-3DES der ok \
        "KeyStore PKCS12-3DES-3DES (BC) stored with PKCS12StoreParameter(forDEREncoding: true): DER; EC P-384 + chain"
}

GOPKCS12=/usr/share/gocode/src/software.sslmate.com/src/go-pkcs12
missing_go() {
    if ! command -v go >/dev/null; then
        echo "go not found (package golang-go)"
    elif [ ! -d "$GOPKCS12" ]; then
        echo "$GOPKCS12 not found (package golang-sslmate-src-go-pkcs12-dev)"
    fi
}
gen_go() {
    local v pkg
    # Offline, in GOPATH mode over Debian's sources: no module download can happen.
    export GO111MODULE=off GOPATH=/usr/share/gocode GOPROXY=off GOFLAGS= GOENV=off GOTOOLCHAIN=local
    export GOCACHE="$T/gocache"
    q go build -o "$T/go-writer" "$HERE/interop/go-writer/main.go"
    pkg=$(dpkg-query -W -f='${Version}' golang-sslmate-src-go-pkcs12-dev 2>/dev/null | sed 's/-[^-]*$//' || true)
    v="$(go env GOVERSION) go-pkcs12 ${pkg:-(version unknown)}"
    one() {
        local stem=$1 key=$2 password=$3 description=$4
        leaf "$stem" "$key"
        q "$T/go-writer" "$K/$key.key" "$T/leaf/$stem.chain.pem" "$(rawpw "$stem" "$password")" "$OUT/$stem.p12"
        facts go "$v" "$stem.p12" "$password" ok "$description"
    }
    one go-rsa2048 rsa2048 go-pw "pkcs12.Encode (RC2-40 certificates, 3DES key, SHA-1 MAC, MAC iteration count 1); RSA-2048 + chain"
    one go-p256 p256 go-pw "pkcs12.Encode; EC P-256 + chain"
    one go-ed25519 ed25519 go-pw "pkcs12.Encode; Ed25519 + chain"
}

missing_python() {
    python3 -c 'from cryptography.hazmat.primitives.serialization import pkcs12; pkcs12.PBES' >/dev/null 2>&1 \
        || echo "python3 has no cryptography 38 or later (pip install cryptography)"
}
gen_python() {
    local v
    v="Python cryptography $(python3 "$HERE/interop/pyca_writer.py" --version)"
    one() {
        local stem=$1 key=$2 password=$3 mode=$4 description=$5
        leaf "$stem" "$key"
        q python3 "$HERE/interop/pyca_writer.py" "$mode" "$K/$key.key" "$T/leaf/$stem.chain.pem" "$stem" \
            "$(rawpw "$stem" "$password")" "$OUT/$stem.p12"
        facts python "$v" "$stem.p12" "$password" ok "$description"
    }
    one pyca-best-rsa2048 rsa2048 pyca-pw best "serialize_key_and_certificates, BestAvailableEncryption; RSA-2048 + chain"
    one pyca-best-p384 p384 pyca-pw best "BestAvailableEncryption; EC P-384 + chain"
    one pyca-legacy-p256 p256 pyca-legacy-pw legacy \
        "PrivateFormat.PKCS12 builder: PBESv1SHA1And3KeyTripleDESCBC, SHA-1 MAC, 50,000 rounds; EC P-256 + chain"
    one pyca-1m-rounds-rsa3072 rsa3072 pyca-slow-pw rounds=1000000 \
        "PrivateFormat.PKCS12 builder: PBESv2SHA256AndAES256CBC, SHA-256 MAC, 1,000,000 rounds (exactly the default cap); RSA-3072 + chain"
    one pyca-noencryption-ed25519 ed25519 "" none \
        "serialize_key_and_certificates, NoEncryption (plain bags, MAC keyed with the empty password); Ed25519 + chain"
}

WRITERS=(openssl gnutls nss keytool bouncycastle go python)
# The file-name prefix of each writer's files.
declare -A PREFIX=([openssl]=openssl [gnutls]=gnutls [nss]=nss [keytool]=keytool [bouncycastle]=bc [go]=go
    [python]=pyca)
failures=0
for w in "${WRITERS[@]}"; do
    why=$("missing_$w")
    if [ -n "$why" ]; then
        printf '%s\t%s\n' "$w" "$why" >>"$T/skipped.tsv"
        echo "$0: skipped $w: $why" >&2
        continue
    fi
    : >"$T/rows/$w.tsv"
    : >"$T/listed.$w.tsv"
    started=$SECONDS
    set +e
    (
        set -e
        "gen_$w"
    ) 2>"$T/gen-$w.err"
    rc=$?
    set -e
    echo "$0: $w: $(wc -l <"$T/rows/$w.tsv") files, $((SECONDS - started)) s" >&2
    if [ $rc -ne 0 ]; then
        failures=$((failures + 1))
        why=$( (grep -v '^\s*$' "$T/gen-$w.err" || true) | tail -n 3 | tr '\t\n' '  ')
        printf '%s\t%s\n' "$w" "failed (exit $rc): ${why:-no message}" >>"$T/failed.tsv"
        echo "$0: writer $w failed:" >&2
        cat "$T/gen-$w.err" >&2
        # Keep nothing of a writer that failed part-way.
        rm -f -- "$OUT/${PREFIX[$w]}"-*.p12
        : >"$T/rows/$w.tsv"
        : >"$T/listed.$w.tsv"
        continue
    fi
    cat "$T/listed.$w.tsv" >>"$T/listed.tsv"
done

# ---------------------------------------------------------------- index files
{
    printf 'file\twriter\tversion\texpect\tencoding\tmac_algorithm\tmac_iterations\tcertificates\thas_key\t'
    printf 'thumbprint\tsubject\tnot_after\tkey_algorithm\tkey_bits\tcurve\tlayout\tdescription\n'
    for w in "${WRITERS[@]}"; do [ -f "$T/rows/$w.tsv" ] && cat "$T/rows/$w.tsv"; done
} >"$OUT/interop.tsv"
cp "$T/skipped.tsv" "$OUT/skipped.tsv"
cp "$T/failed.tsv" "$OUT/failed.tsv"
write_passwords "$T/listed.tsv" "$OUT/passwords.json"

publish_outdir   # files 0644 (openssl writes some 0600), directories 0755
echo "interop set written to $FINAL ($(($(wc -l <"$FINAL/interop.tsv") - 1)) files," \
    "$(wc -l <"$FINAL/skipped.tsv") writers skipped, $failures failed)" >&2
[ $failures -eq 0 ] || exit 3
