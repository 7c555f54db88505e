#!/usr/bin/env bash
# The reference's own C# sample (UploadAsync in the Certificate entity page), translated line by line to curl, run
# against the legacy dialect of a running `certdrop serve`; then GET the certificate back.
#
#   CERTDROP_URL=http://127.0.0.1:PORT CERTDROP_SAS="$(certdrop token)" \
#     scripts/legacy-sample.sh FILE.pfx PASSWORD CERTIFICATE_ID
#
# CERTDROP_SAS is what `certdrop token` prints (the whole header value); like the sample, the script passes the
# part after the scheme to the header it builds. Exit status: 0 when the upload and the read-back succeed.
set -euo pipefail

file=${1:?usage: legacy-sample.sh FILE.pfx PASSWORD CERTIFICATE_ID}
password=${2?usage: legacy-sample.sh FILE.pfx PASSWORD CERTIFICATE_ID}
certificate_id=${3:?usage: legacy-sample.sh FILE.pfx PASSWORD CERTIFICATE_ID}
base=${CERTDROP_URL:?set CERTDROP_URL to the service, e.g. http://127.0.0.1:8080}
shared_access_signature=${CERTDROP_SAS:?set CERTDROP_SAS to the output of certdrop token}
shared_access_signature=${shared_access_signature#SharedAccessSignature }

# const string apiVersion = "2014-02-14-preview";
api_version="2014-02-14-preview"

# string url = ... "/certificates/" + certificateId + "?api-version=" + apiVersion + "&password=" + password;
# (The sample concatenates the password unescaped; a password with '&', '+', '#' or spaces would need escaping.)
url="$base/certificates/$certificate_id?api-version=$api_version&password=$password"

# var bytes = File.ReadAllBytes(filePath); var encodedBytes = Convert.ToBase64String(bytes);
encoded_bytes=$(base64 -w0 "$file")

# var body = new JObject(); body.Add("data", encodedBytes); body.Add("password", password);
# request.Content = new StringContent(body.ToString());   -> text/plain; charset=utf-8, indented JSON
body=$(python3 -c 'import json, sys; print(json.dumps({"data": sys.argv[1], "password": sys.argv[2]}, indent=2))' \
    "$encoded_bytes" "$password")

# request.Headers.Authorization = new AuthenticationHeaderValue("SharedAccessSignature", sharedAccessSignature);
# HttpResponseMessage response = await httpClient.SendAsync(request); response.EnsureSuccessStatusCode();
status=$(printf '%s' "$body" | curl -sS -o /tmp/legacy-sample.$$ -w '%{http_code}' -X PUT "$url" \
    -H "Authorization: SharedAccessSignature $shared_access_signature" \
    -H "Content-Type: text/plain; charset=utf-8" --data-binary @-)
if [ "${status:0:1}" != "2" ]; then
    echo "legacy-sample: PUT answered $status: $(cat /tmp/legacy-sample.$$)" >&2
    rm -f /tmp/legacy-sample.$$
    exit 1
fi
echo "legacy-sample: PUT /certificates/$certificate_id answered $status"

# Read it back: GET /certificates/{cid} with the same signature.
curl -sS --fail-with-body "$base/certificates/$certificate_id?api-version=$api_version" \
    -H "Authorization: SharedAccessSignature $shared_access_signature" -D /tmp/legacy-sample.$$.headers \
    -o /tmp/legacy-sample.$$
etag=$(grep -i '^etag:' /tmp/legacy-sample.$$.headers | tr -d '\r' | cut -d' ' -f2-)
echo "legacy-sample: GET /certificates/$certificate_id answered ETag $etag: $(cat /tmp/legacy-sample.$$)"
rm -f /tmp/legacy-sample.$$ /tmp/legacy-sample.$$.headers
