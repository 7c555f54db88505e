#!/usr/bin/env python3
"""Drives the ARM dialect of a live `certdrop serve` with the official Azure SDK for Python.

Run by scripts/interop.sh, which starts the server and sets:
  CERTDROP_URL       http://127.0.0.1:PORT
  CERTDROP_BEARER    a token from `certdrop token --bearer`
  CERTDROP_INSTANCE  the server's --instance
  CERTDROP_FIXTURES  a folder made by scripts/make-pkcs12-fixtures.sh (with passwords.json)
  CERTDROP_KEY_VAULT the server's --key-vault-dir, holding kv-interop/gateway/v1.pfx (empty-password.pfx, no
                     password file, as Key Vault exports certificates); this script adds a second version to it

azure-core's ARM bearer policy refuses plain http, and no Azure AD is involved here, so the client gets a custom
authentication_policy that sets `Authorization: Bearer <token>` from the minted token. Everything else is the SDK
as shipped: URL building, query serialisation, paging through nextLink, ETag handling and error mapping.

Key Vault certificates (create with key_vault, refresh_secret, list_by_service with is_key_vault_refresh_failed)
need azure-mgmt-apimanagement 4 or later, whose default api-version (2024-05-01 in 5.0.0) defines them.

Exit status: 0 when every step passed, 1 otherwise.
"""

import base64
import json
import os
import shutil
import subprocess
import sys
import time

from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.core.pipeline.policies import SansIOHTTPPolicy
from azure.mgmt.apimanagement import ApiManagementClient
from azure.mgmt.apimanagement.models import CertificateCreateOrUpdateParameters, KeyVaultContractCreateProperties

SUBSCRIPTION = "00000000-0000-0000-0000-00000000c0de"
RESOURCE_GROUP = "rg-interop"


class StaticBearerPolicy(SansIOHTTPPolicy):
    """Sets the bearer token that `certdrop token --bearer` minted, on every request."""

    def __init__(self, token):
        super().__init__()
        self._token = token

    def on_request(self, request):
        request.http_request.headers["Authorization"] = "Bearer " + self._token


class RequestCounter(SansIOHTTPPolicy):
    """Counts the requests the SDK sends, to see that paging really followed nextLink."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def on_request(self, request):
        self.urls.append(request.http_request.url)


class NoCredential:
    """The SDK insists on a credential object; the static policy above makes it unused."""

    def get_token(self, *scopes, **kwargs):
        raise RuntimeError("no Azure AD here: the bearer token comes from certdrop token --bearer")


def thumbprint(path, password):
    """SHA-1 of the leaf certificate's DER, upper-case hex, computed by the openssl command line."""
    pem = subprocess.run(
        ["openssl", "pkcs12", "-in", path, "-passin", "pass:" + password, "-nokeys", "-clcerts"],
        check=True, capture_output=True).stdout
    out = subprocess.run(["openssl", "x509", "-noout", "-fingerprint", "-sha1"], input=pem, check=True,
                         capture_output=True).stdout.decode()
    return out.strip().split("=", 1)[1].replace(":", "").upper()


def main():
    base_url = os.environ["CERTDROP_URL"]
    token = os.environ["CERTDROP_BEARER"]
    service = os.environ.get("CERTDROP_INSTANCE", "certdrop")
    fixtures = os.environ["CERTDROP_FIXTURES"]
    passwords = json.load(open(os.path.join(fixtures, "passwords.json")))

    counter = RequestCounter()
    client = ApiManagementClient(
        credential=NoCredential(), subscription_id=SUBSCRIPTION, base_url=base_url,
        authentication_policy=StaticBearerPolicy(token), per_call_policies=[counter])
    certificates = client.certificate
    failures = []

    def check(condition, what):
        print(("ok   " if condition else "FAIL ") + what)
        if not condition:
            failures.append(what)

    def upload(certificate_id, fixture, if_match=None):
        path = os.path.join(fixtures, fixture)
        data = base64.b64encode(open(path, "rb").read()).decode()
        parameters = CertificateCreateOrUpdateParameters(data=data, password=passwords[fixture])
        return certificates.create_or_update(
            RESOURCE_GROUP, service, certificate_id, parameters, if_match=if_match,
            cls=lambda response, body, headers: (body, headers.get("ETag")))

    # create
    rsa_thumbprint = thumbprint(os.path.join(fixtures, "rsa-default.pfx"), passwords["rsa-default.pfx"])
    created, etag = upload("interop-rsa", "rsa-default.pfx")
    check(created.name == "interop-rsa", "create_or_update creates; name is the identifier")
    check(created.thumbprint == rsa_thumbprint, "the thumbprint is the leaf's SHA-1 (%s)" % rsa_thumbprint)
    check(bool(etag) and etag.startswith('"'), "create_or_update returns an ETag (%s)" % etag)

    # get, get_entity_tag
    fetched = certificates.get(RESOURCE_GROUP, service, "interop-rsa")
    check(fetched.subject == created.subject and fetched.expiration_date is not None, "get returns the facts")
    check(fetched.id.endswith("/service/%s/certificates/interop-rsa" % service), "get returns the ARM id")
    tag = certificates.get_entity_tag(RESOURCE_GROUP, service, "interop-rsa",
                                      cls=lambda response, body, headers: headers.get("ETag"))
    check(tag == etag, "get_entity_tag (HEAD) returns the same ETag")
    check(certificates.get_entity_tag(RESOURCE_GROUP, service, "interop-rsa") is True, "get_entity_tag is True")

    # list_by_service with a filter and paging
    for index, fixture in enumerate(["ec-p256.pfx", "ec-p384.pfx", "rsa-3des.pfx", "utf8-subject.pfx", "java-aes.pfx"]):
        upload("interop-%d" % index, fixture)
    upload("other", "self-signed.pfx")
    before = len(counter.urls)
    pages = list(certificates.list_by_service(RESOURCE_GROUP, service, filter="startswith(name, 'interop-')",
                                              top=2).by_page())
    names = [item.name for page in pages for item in page]
    check(names == sorted(names) and len(names) == 6, "list_by_service filters and orders by name: %s" % names)
    check(len(counter.urls) - before == 3, "paging followed nextLink (%d requests)" % (len(counter.urls) - before))
    by_thumbprint = list(certificates.list_by_service(RESOURCE_GROUP, service,
                                                      filter="thumbprint eq '%s'" % rsa_thumbprint.lower()))
    check([item.name for item in by_thumbprint] == ["interop-rsa"], "a thumbprint filter finds one certificate")

    # update with if_match
    replaced, new_etag = upload("interop-rsa", "ec-p256.pfx", if_match=etag)
    check(new_etag and new_etag != etag, "create_or_update with if_match replaces; the ETag changes")
    check("ec-p256" in replaced.subject, "the replacement is stored")
    try:
        upload("interop-rsa", "rsa-default.pfx", if_match=etag)
        check(False, "a stale if_match is refused")
    except HttpResponseError as error:
        check(error.status_code == 412 and error.error.code == "PreconditionFailed",
              "a stale if_match is 412 PreconditionFailed")

    # delete
    try:
        certificates.delete(RESOURCE_GROUP, service, "interop-rsa", if_match=etag)
        check(False, "delete with a stale if_match is refused")
    except HttpResponseError as error:
        check(error.status_code == 412, "delete with a stale if_match is 412")
    certificates.delete(RESOURCE_GROUP, service, "interop-rsa", if_match=new_etag)
    try:
        certificates.get(RESOURCE_GROUP, service, "interop-rsa")
        check(False, "a deleted certificate is gone")
    except ResourceNotFoundError as error:
        check(error.status_code == 404 and error.error.code == "ResourceNotFound", "a deleted certificate is 404")
    try:
        certificates.get(RESOURCE_GROUP, service, "bad:id")
        check(False, "an id that breaks the ARM rule is refused")
    except HttpResponseError as error:
        check(error.status_code == 400 and error.error.code == "ValidationError", "a bad id is 400 ValidationError")

    key_vault_steps(certificates, service, fixtures, passwords, counter, check)

    print("%d step(s) failed" % len(failures) if failures else "all steps passed")
    return 1 if failures else 0


def key_vault_steps(certificates, service, fixtures, passwords, counter, check):
    """Key Vault certificates against the server's local Key Vault: create, refresh_secret after a rotation, and
    list_by_service with is_key_vault_refresh_failed, paged."""
    vault = os.environ["CERTDROP_KEY_VAULT"]
    secret = "https://kv-interop.vault.azure.net/secrets/gateway"

    def reference(certificate_id, identifier):
        parameters = CertificateCreateOrUpdateParameters(
            key_vault=KeyVaultContractCreateProperties(secret_identifier=identifier, identity_client_id="interop-id"))
        return certificates.create_or_update(
            RESOURCE_GROUP, service, certificate_id, parameters,
            cls=lambda response, body, headers: (body, headers.get("ETag")))

    first_thumbprint = thumbprint(os.path.join(fixtures, "empty-password.pfx"), "")
    created, etag = reference("kv-gateway", secret)
    status = created.key_vault.last_status if created.key_vault else None
    check(created.key_vault is not None and created.key_vault.secret_identifier == secret
          and created.key_vault.identity_client_id == "interop-id", "a Key Vault certificate keeps its reference")
    check(status is not None and status.code == "Success" and status.time_stamp_utc is not None,
          "its key_vault.last_status is Success with a time stamp")
    check(created.thumbprint == first_thumbprint and created.subject and created.expiration_date.year > 1970,
          "its facts are read from the local Key Vault (%s)" % created.thumbprint)

    # A rotation: a newer version of the secret, with a password file, then refresh_secret.
    folder = os.path.join(vault, "kv-interop", "gateway")
    shutil.copyfile(os.path.join(fixtures, "ec-p256.pfx"), os.path.join(folder, "v2.pfx"))
    with open(os.path.join(folder, "v2.password"), "w") as handle:
        handle.write(passwords["ec-p256.pfx"])
    for name in ("v2.pfx", "v2.password"):
        os.chmod(os.path.join(folder, name), 0o600)
    later = time.time() + 60
    os.utime(os.path.join(folder, "v2.pfx"), (later, later))
    refreshed = certificates.refresh_secret(RESOURCE_GROUP, service, "kv-gateway",
                                            cls=lambda response, body, headers: (body, headers.get("ETag")))
    check(refreshed[0].thumbprint == thumbprint(os.path.join(fixtures, "ec-p256.pfx"), passwords["ec-p256.pfx"]),
          "refresh_secret picks up the new version")
    check(refreshed[1] and refreshed[1] != etag, "refresh_secret returns a new ETag")
    try:
        certificates.refresh_secret(RESOURCE_GROUP, service, "interop-0")
        check(False, "refresh_secret of an uploaded certificate is refused")
    except HttpResponseError as error:
        check(error.status_code == 400 and error.error.code == "ValidationError",
              "refresh_secret of an uploaded certificate is 400 ValidationError")
    try:
        certificates.refresh_secret(RESOURCE_GROUP, service, "absent")
        check(False, "refresh_secret of an absent certificate is refused")
    except ResourceNotFoundError as error:
        check(error.status_code == 404, "refresh_secret of an absent certificate is 404")

    # Secrets the vault does not hold: Failed, and found by is_key_vault_refresh_failed (paged, one per page).
    for index in range(3):
        missing, _ = reference("kv-missing-%d" % index, secret + "-absent-%d" % index)
        check(missing.key_vault.last_status.code == "Failed" and missing.key_vault.last_status.message,
              "a missing secret's last_status is Failed with a message (kv-missing-%d)" % index)
    before = len(counter.urls)
    failed = [item.name for item in certificates.list_by_service(
        RESOURCE_GROUP, service, is_key_vault_refresh_failed=True, top=1)]
    check(failed == ["kv-missing-0", "kv-missing-1", "kv-missing-2"],
          "list_by_service(is_key_vault_refresh_failed=True) lists only the failed ones: %s" % failed)
    check(len(counter.urls) - before == 3 and all("isKeyVaultRefreshFailed=true" in url
                                                    for url in counter.urls[before:]),
          "paging kept is_key_vault_refresh_failed in every nextLink")
    narrowed = [item.name for item in certificates.list_by_service(
        RESOURCE_GROUP, service, filter="endswith(name, '-1')", is_key_vault_refresh_failed=True)]
    check(narrowed == ["kv-missing-1"], "is_key_vault_refresh_failed combines with a filter: %s" % narrowed)
    every = [item.name for item in certificates.list_by_service(
        RESOURCE_GROUP, service, is_key_vault_refresh_failed=False)]
    check("kv-gateway" in every and "interop-0" in every, "is_key_vault_refresh_failed=False lists everything")


if __name__ == "__main__":
    sys.exit(main())
