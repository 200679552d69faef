"""Upload throughput and peak memory of the storage backends.

    .venv/bin/python bench/storage_upload.py --sizes 1,50,500 --backend both --repeat 3

Each (size, backend, mode) runs in a fresh subprocess of this script because ru_maxrss
is a lifetime peak: sharing a process would report the largest size for every row.
S3 runs against a moto server subprocess, so its numbers measure our code plus a local
HTTP round trip, not real S3 latency. Data is generated on the fly (the timings include
that generation) so no input is ever held in memory or read from disk.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

MIB = 1024 * 1024
REPO_ROOT = Path(__file__).resolve().parents[1]
FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


class PseudoRandomStream(io.RawIOBase):
    """size deterministic, incompressible bytes, produced 1 MiB block at a time.

    random.Random(seed) fills one 1 MiB pool; block i is that pool rotated by an offset
    derived from i. randbytes alone runs at ~160 MB/s, which would make the benchmark
    measure the generator; a rotation is a memcpy. Blocks are addressable, so the
    stream can seek (as Werkzeug's spooled upload files can) without buffering.
    """

    def __init__(self, size: int, seed: int, seekable: bool) -> None:
        self._size, self._seekable = size, seekable
        self._pool = random.Random(seed).randbytes(MIB)
        self._pos = 0
        self._cached: tuple[int, bytes] = (-1, b"")

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._seekable

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if not self._seekable:
            raise io.UnsupportedOperation("seek")
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def _block(self, index: int) -> bytes:
        if self._cached[0] != index:
            shift = (index * 2_654_435_761) % MIB  # Knuth's multiplicative hash
            self._cached = (index, self._pool[shift:] + self._pool[:shift])
        return self._cached[1]

    def readinto(self, buffer) -> int:
        view = memoryview(buffer).cast("B")
        total = min(len(view), max(0, self._size - self._pos))
        done = 0
        while done < total:
            index, offset = divmod(self._pos, MIB)
            n = min(total - done, MIB - offset)
            view[done : done + n] = self._block(index)[offset : offset + n]
            done += n
            self._pos += n
        return total


# --- child: one (size, backend, mode) -------------------------------------------------


def _make_storage(backend: str, endpoint: str | None, workdir: str):
    sys.path.insert(0, str(REPO_ROOT))
    from app.storage import LocalStorage, S3Storage

    if backend == "local":
        return LocalStorage(workdir)
    bucket = f"bench-{uuid.uuid4().hex[:12]}"
    storage = S3Storage(bucket, prefix="bench/", endpoint_url=endpoint, region="us-east-1")
    storage.client.create_bucket(Bucket=bucket)
    return storage


def run_child(args: argparse.Namespace) -> None:
    size = args.size * MIB
    with tempfile.TemporaryDirectory(prefix="lockstep-bench-") as workdir:
        storage = _make_storage(args.backend, args.endpoint, workdir)
        base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        seconds = []
        for attempt in range(args.repeat):
            # A fresh seed per attempt: repeating bytes would hit dedup and skip the upload.
            stream = PseudoRandomStream(size, seed=attempt, seekable=args.mode == "seekable")
            started = time.perf_counter()
            blob = storage.save(stream)
            seconds.append(time.perf_counter() - started)
            assert blob.size == size
            storage.delete(blob.key)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "base_kib": base_rss, "peak_kib": peak_rss}))


# --- parent: orchestration ------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_moto(log_path: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - fixed http URL
                return proc, url
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"moto server did not start; see {log_path}")


def _run_case(size: int, backend: str, mode: str, repeat: int, endpoint: str | None) -> dict:
    cmd = [sys.executable, __file__, "--child", "--size", str(size), "--backend", backend]
    cmd += ["--mode", mode, "--repeat", str(repeat)]
    if endpoint:
        cmd += ["--endpoint", endpoint]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _cases(args: argparse.Namespace) -> list[tuple[int, str, str]]:
    backends = ["local", "s3"] if args.backend == "both" else [args.backend]
    s3_modes = ["seekable", "stream"] if args.mode == "both" else [args.mode]
    cases = []
    for size in args.sizes:
        for backend in backends:
            # LocalStorage reads every stream the same way; seekability only matters to S3.
            for mode in s3_modes if backend == "s3" else ["stream"]:
                cases.append((size, backend, mode))
    return cases


def _row(size: int, backend: str, mode: str, result: dict) -> str:
    median = statistics.median(result["seconds"])
    rate = size / median if median else float("inf")
    return (
        f"| {size} | {backend} | {mode} | {median:.3f} | {rate:.0f} "
        f"| {result['base_kib'] / 1024:.0f} | {result['peak_kib'] / 1024:.0f} |"
    )


def run_parent(args: argparse.Namespace) -> None:
    cases = _cases(args)
    moto = None
    if any(backend == "s3" for _, backend, _ in cases):
        os.environ.update(FAKE_AWS_ENV)
        moto = start_moto(Path(tempfile.gettempdir()) / f"bench-moto-{os.getpid()}.log")
    try:
        print(f"repeat={args.repeat}, python {sys.version.split()[0]}, {os.cpu_count()} CPUs\n")
        print("| MB | backend | stream | median s | MB/s | RSS before MB | RSS peak MB |")
        print("|---:|---|---|---:|---:|---:|---:|")
        for size, backend, mode in cases:
            result = _run_case(size, backend, mode, args.repeat, moto and moto[1])
            print(_row(size, backend, mode, result), flush=True)
    finally:
        if moto:
            moto[0].terminate()
            moto[0].wait(timeout=10)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default="1,50")
    parser.add_argument("--backend", choices=["local", "s3", "both"], default="both")
    parser.add_argument(
        "--mode",
        choices=["seekable", "stream", "both"],
        default="both",
        help="S3 input: seekable (like Werkzeug's spooled upload) or one-shot stream",
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--endpoint", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


if __name__ == "__main__":
    parsed = parse_args()
    if parsed.child:
        run_child(parsed)
    else:
        run_parent(parsed)
