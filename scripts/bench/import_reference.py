#!/usr/bin/env python3
"""The reference client of scripts/bench-import.sh: the same legacy PUTs as `certdrop import`, with `requests`.

    import_reference.py DROP URL CONCURRENCY          (the Authorization header value on standard input)

Reads every *.pfx under DROP and DROP/passwords.json ("*": [password]), builds each request body
{"data": "<base64>", "password": "..."} *before* the clock starts, then PUTs
{URL}/certificates/{stem}?api-version=2014-02-14 for every file with a ThreadPoolExecutor(max_workers=N) and one
requests.Session per worker thread. Prints one JSON line: elapsed seconds of the PUT phase, the statuses, and the
process CPU seconds spent in that phase. Exit status 1 when any PUT did not answer 201.
"""
import base64
import collections
import concurrent.futures
import json
import os
import pathlib
import sys
import threading
import time

import requests


def main() -> int:
    drop, url, concurrency = pathlib.Path(sys.argv[1]), sys.argv[2].rstrip("/"), int(sys.argv[3])
    authorization = sys.stdin.readline().strip()
    password = json.loads((drop / "passwords.json").read_text())["*"][0]
    files = sorted(drop.rglob("*.pfx"))
    # Bodies and URLs are precomputed, outside the timing.
    requests_to_send = [
        (
            f"{url}/certificates/{path.stem}?api-version=2014-02-14",
            json.dumps({"data": base64.b64encode(path.read_bytes()).decode("ascii"), "password": password}).encode(),
        )
        for path in files
    ]
    headers = {"Authorization": authorization, "Content-Type": "application/json"}
    local = threading.local()

    def put(request):
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        target, body = request
        response = session.put(target, data=body, headers=headers, timeout=60)
        response.content  # read the whole answer, as certdrop does
        return response.status_code

    cpu_before, started = os.times(), time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
        statuses = collections.Counter(pool.map(put, requests_to_send))
    elapsed, cpu_after = time.perf_counter() - started, os.times()
    cpu = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
    print(json.dumps({
        "count": len(requests_to_send), "elapsed": elapsed, "cpu": cpu,
        "statuses": {str(status): n for status, n in sorted(statuses.items())},
    }))
    return 0 if statuses.get(201, 0) == len(requests_to_send) else 1


if __name__ == "__main__":
    sys.exit(main())
