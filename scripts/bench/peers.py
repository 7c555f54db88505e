"""The peers of scripts/bench-validate.sh, timed the same way as ours: files read beforehand, a warm-up, then
the best of several passes over all files (and their median), split across N workers started before the clock
starts.

    peers.py python  --workers N --password-file F [--passes P] FILE...
        cryptography's pkcs12.load_key_and_certificates in a loop, one process per worker.
    peers.py openssl --workers N --password-file F [--passes P] FILE...
        `openssl pkcs12 -noout -passin file:F -in FILE` spawned per file, N spawning threads.

Prints one line: rate=<best files/s> median=<files/s> files=<n> failed=<n> passes=<p> (and version=... for python).
"""

import argparse
import multiprocessing as mp
import statistics
import subprocess
import sys
import time


def python_worker(paths, password, barrier, start_times, end_times, failures, slot, workers, passes):
    from cryptography.hazmat.primitives.serialization import pkcs12

    blobs = [open(p, "rb").read() for p in paths]
    for blob in blobs[:4]:
        pkcs12.load_key_and_certificates(blob, password)
    for index in range(passes):
        barrier.wait()
        start_times[index * workers + slot] = time.perf_counter()
        failed = 0
        for blob in blobs:
            try:
                key, cert, _ = pkcs12.load_key_and_certificates(blob, password)
                if key is None or cert is None:
                    failed += 1
            except Exception:
                failed += 1
        end_times[index * workers + slot] = time.perf_counter()
        failures[slot] += failed


def run_python(args, paths, password):
    workers = args.workers
    shares = [paths[i::workers] for i in range(workers)]
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(workers)
    starts = ctx.Array("d", workers * args.passes)
    ends = ctx.Array("d", workers * args.passes)
    failures = ctx.Array("i", workers)
    procs = [
        ctx.Process(target=python_worker, args=(shares[i], password, barrier, starts, ends, failures, i, workers, args.passes))
        for i in range(workers)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
        if p.exitcode != 0:
            sys.exit("python worker failed")
    rates = []
    for k in range(args.passes):
        s = starts[k * workers:(k + 1) * workers]
        e = ends[k * workers:(k + 1) * workers]
        rates.append(len(paths) / (max(e) - min(s)))
    import cryptography
    from cryptography.hazmat.backends.openssl.backend import backend

    version = "cryptography-%s/%s" % (cryptography.__version__, backend.openssl_version_text().replace(" ", "_"))
    return rates, sum(failures) // args.passes, version


def run_openssl(args, paths, password_file):
    import threading

    workers = args.workers
    shares = [paths[i::workers] for i in range(workers)]
    failures = [0] * workers

    def spawn(path):
        result = subprocess.run(
            ["openssl", "pkcs12", "-noout", "-passin", "file:" + password_file, "-in", path],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return result.returncode == 0

    for path in paths[:2]:
        spawn(path)
    rates = []
    for _ in range(args.passes):
        barrier = threading.Barrier(workers + 1)

        def work(slot):
            barrier.wait()
            for path in shares[slot]:
                if not spawn(path):
                    failures[slot] += 1

        threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
        for t in threads:
            t.start()
        barrier.wait()
        began = time.perf_counter()
        for t in threads:
            t.join()
        rates.append(len(paths) / (time.perf_counter() - began))
    return rates, sum(failures) // args.passes


def rates_text(rates):
    return "rate=%.1f median=%.1f" % (max(rates), statistics.median(rates))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("peer", choices=["python", "openssl"])
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--password-file", required=True)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    with open(args.password_file, "rb") as f:
        password = f.read().rstrip(b"\r\n")
    if args.peer == "python":
        rates, failed, version = run_python(args, args.files, password)
        print("%s files=%d failed=%d passes=%d version=%s" % (rates_text(rates), len(args.files), failed, args.passes,
                                                             version))
    else:
        rates, failed = run_openssl(args, args.files, args.password_file)
        print("%s files=%d failed=%d passes=%d" % (rates_text(rates), len(args.files), failed, args.passes))


if __name__ == "__main__":
    main()
