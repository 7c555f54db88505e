// A PKCS#12 writer that uses software.sslmate.com/src/go-pkcs12 (Debian's golang-sslmate-src-go-pkcs12-dev),
// built offline in GOPATH mode (GO111MODULE=off GOPATH=/usr/share/gocode GOPROXY=off).
//
//	go-writer KEY.pem CHAIN.pem PASSWORD-FILE OUT.p12
//
// KEY.pem is an unencrypted PKCS#8 key (RSA, ECDSA or Ed25519); CHAIN.pem holds the leaf first, then its
// CAs. The password is the whole content of PASSWORD-FILE, never an argument. pkcs12.Encode writes what
// OpenSSL's PKCS12_create did by default: RC2-40 certificates, a 3DES shrouded key bag (2048 iterations), a
// SHA-1 MAC with an iteration count of 1.
package main

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"

	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "go-writer: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: go-writer KEY.pem CHAIN.pem PASSWORD-FILE OUT.p12")
		os.Exit(2)
	}
	keyPEM, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail("%v", err)
	}
	block, _ := pem.Decode(keyPEM)
	if block == nil {
		fail("no PEM block in %s", os.Args[1])
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		fail("key: %v", err)
	}
	chainPEM, err := os.ReadFile(os.Args[2])
	if err != nil {
		fail("%v", err)
	}
	var certs []*x509.Certificate
	for {
		block, chainPEM = pem.Decode(chainPEM)
		if block == nil {
			break
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			fail("certificate: %v", err)
		}
		certs = append(certs, cert)
	}
	if len(certs) == 0 {
		fail("no certificate in %s", os.Args[2])
	}
	password, err := os.ReadFile(os.Args[3])
	if err != nil {
		fail("%v", err)
	}
	pfx, err := pkcs12.Encode(rand.Reader, key, certs[0], certs[1:], string(password))
	if err != nil {
		fail("encode: %v", err)
	}
	if err := os.WriteFile(os.Args[4], pfx, 0o644); err != nil {
		fail("%v", err)
	}
}
