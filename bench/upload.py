"""End-to-end upload benchmark: POST /api/v1/assets through gunicorn, time and server memory.

    .venv/bin/python bench/upload.py --sizes 1,50,500 --backend both --repeat 3 --workers 2

For each backend this starts a throwaway Lockstep (fresh migrated SQLite DB, a local blob
directory or a new bucket on a moto server it starts) under the production server command,
`gunicorn --workers N --threads 4`, and uploads deterministic files as a marketer with an API
token. The client streams each file from disk with an exact Content-Length, so neither side
ever needs the whole file in memory.

Files are named .bin and start with a unique header: the app sniffs them as
application/octet-stream (kind "other"), so text extraction parses nothing (its subprocess
still starts) and every upload has a new hash, so content-addressed dedup never skips a write.
The figures are therefore raw ingest throughput: body spool, spool copy, sha256, storage write.

Memory: a sampler thread reads VmRSS of every gunicorn worker (and its child processes) every
50 ms, and VmHWM is reset (/proc/<pid>/clear_refs) before each upload, so the peak catches
spikes between samples. Growth = peak - RSS just before the upload, for the worker that handled
it (the one whose write() count grew). Results go to bench/results/upload-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import (
    MIB,
    LockstepServer,
    ProcSampler,
    machine_info,
    post_multipart,
    proc_io,
    proc_mem,
    reset_peak_rss,
    start_moto,
    write_payload,
)

RESULTS_DIR = Path(__file__).resolve().parent / "results"
WARMUP_MB = 20  # > the 8 MiB S3 multipart threshold, so warm-up also builds boto3's thread pool
SETTLE_SECONDS = 0.5


def payload(cache: Path, size_mb: int, seed: int, label: str) -> Path:
    path = cache / f"{label}-{seed}.bin"
    if not path.exists():
        header = f"lockstep upload bench {label} size={size_mb}MiB seed={seed}\n\0".encode()
        write_payload(path, size_mb * MIB, seed, header)
    return path


def upload_once(server: LockstepServer, path: Path, size_mb: int, interval: float) -> dict:
    pids = server.worker_pids()
    # Write back every dirty page first (payload files, earlier uploads' spools and blobs) so
    # an upload is not timed while the kernel flushes the previous one's data to disk.
    os.sync()
    time.sleep(SETTLE_SECONDS)
    for pid in pids:
        reset_peak_rss(pid)
    before = {pid: proc_mem(pid) for pid in pids}
    io_before = {pid: proc_io(pid) for pid in pids}
    watch = tuple(f"{d}/" for d in (server.upload_tmp, server.storage_root, server.sys_tmp))
    sampler = ProcSampler(pids, watch=watch, interval=interval)
    sampler.start()
    try:
        result = post_multipart(
            server.host, server.port, "/api/v1/assets", path, filename=path.name,
            fields={"title": f"Bench {path.stem}", "status": "draft"}, headers=server.auth,
        )
    finally:
        sampler.stop()
    after = {pid: proc_mem(pid) for pid in pids}
    io_after = {pid: proc_io(pid) for pid in pids}
    if result.status != 201:
        raise SystemExit(f"upload of {path.name} answered {result.status}: {result.body[:500]!r}"
                         f"\n--- gunicorn log ---\n{server.log_tail()}")
    version = result.json()["current_version"]
    size = size_mb * MIB
    if version["size"] != size:
        raise SystemExit(f"stored {version['size']} bytes, sent {size}")

    workers = {}
    for pid in pids:
        samples = sampler.samples[pid]
        base_rss = before[pid][0] if before[pid] else 0
        sampled_peak = max((s["rss"] for s in samples), default=base_rss)
        hwm = after[pid][1] if after[pid] else 0
        peak = max(sampled_peak, hwm)
        workers[pid] = {
            "baseline_kib": base_rss,
            "sampled_peak_kib": sampled_peak,
            "hwm_after_reset_kib": hwm,
            "peak_kib": peak,
            "growth_kib": peak - base_rss,
            "after_kib": after[pid][0] if after[pid] else None,
            "children_peak_kib": max((s["children_rss"] for s in samples), default=0),
            "wchar": io_after[pid].get("wchar", 0) - io_before[pid].get("wchar", 0),
            "rchar": io_after[pid].get("rchar", 0) - io_before[pid].get("rchar", 0),
            "samples": len(samples),
        }
    handler = max(pids, key=lambda p: workers[p]["wchar"])
    record = {
        "backend": server.backend,
        "size_mb": size_mb,
        "file": path.name,
        "sha256": version["sha256"],
        "kind": version["kind"],
        "content_type": version["content_type"],
        "text_note": version.get("text_note"),
        "seconds": result.finished - result.started,
        "client_send_seconds": result.sent - result.started,
        "handler_pid": handler,
        "workers": {str(pid): w for pid, w in workers.items()},
        "phases": phases(sampler.samples[handler], server, size, result),
    }
    record["timeline"] = [
        {"t": round(s["t"] - result.started, 3), "rss_kib": s["rss"], "hwm_kib": s["hwm"],
         "children_rss_kib": s["children_rss"],
         "files": {Path(k).name: v for k, v in s["files"].items()}}
        for s in sampler.samples[handler]
    ]
    server.delete_blob(version["sha256"])
    return record


def phases(samples: list[dict], server: LockstepServer, size: int, result) -> dict:
    """Where the handling worker spent the request, from the files it held open (to within one
    sampling interval): Werkzeug's body spool in TMPDIR, then the app's spool copy in
    UPLOAD_TMP_DIR, then (local) the storage temp file; the extraction subprocess is its child."""
    t0 = result.started
    ingest_dir, part_dir = str(server.upload_tmp) + "/", str(server.storage_root / "tmp") + "/"
    sys_tmp = str(server.sys_tmp) + "/"

    def first(pred):
        return next((round(s["t"] - t0, 3) for s in samples if pred(s)), None)

    def last(pred):
        return next((round(s["t"] - t0, 3) for s in reversed(samples) if pred(s)), None)

    def files(s, prefix):
        return [v for k, v in s["files"].items()
                if k.startswith(prefix) and "lockstep-thumb" not in k]

    return {
        "request_end": round(result.finished - t0, 3),
        "client_sent": round(result.sent - t0, 3),
        "body_spool_seen": first(lambda s: files(s, sys_tmp)),
        "body_spool_max_bytes": max((v for s in samples for v in files(s, sys_tmp)), default=0),
        "ingest_spool_seen": first(lambda s: files(s, ingest_dir)),
        "ingest_spool_full": first(lambda s: any(v >= size for v in files(s, ingest_dir))),
        "extract_child_seen": first(lambda s: s["children"] > 0),
        "extract_child_last": last(lambda s: s["children"] > 0),
        "storage_part_seen": first(lambda s: files(s, part_dir)),
        "ingest_spool_last": last(lambda s: files(s, ingest_dir)),
    }


def warm_up(server: LockstepServer, cache: Path, interval: float) -> list[int]:
    """Upload until every worker has served one upload: the first request in a worker imports
    and builds things (schemas, the extraction path, boto3's transfer pool) once for good."""
    served: set[int] = set()
    for attempt in range(6 * server.workers):
        record = upload_once(server, payload(cache, WARMUP_MB, 900_000 + attempt, "warmup"),
                             WARMUP_MB, interval)
        served.add(record["handler_pid"])
        if served >= set(server.worker_pids()):
            break
    return sorted(served)


def run_backend(backend: str, args, cache: Path, moto_url: str | None) -> list[dict]:
    records = []
    with LockstepServer(backend, workers=args.workers, s3_endpoint=moto_url, keep=args.keep,
                        extra_env=dict(args.server_env)) as server:
        print(f"[{backend}] gunicorn pid {server.proc.pid}, workers {server.worker_pids()}, "
              f"dir {server.dir}", file=sys.stderr)
        warmed = warm_up(server, cache, args.interval)
        warm_rss = {pid: (proc_mem(pid) or (0, 0))[0] for pid in server.worker_pids()}
        print(f"[{backend}] warmed workers {warmed}, RSS KiB {warm_rss}", file=sys.stderr)
        for size_mb in args.sizes:
            for attempt in range(args.repeat):
                # A unique seed per size and attempt: repeated bytes would dedupe and skip work.
                path = payload(cache, size_mb, size_mb * 1000 + attempt, "upload")
                record = upload_once(server, path, size_mb, args.interval)
                record["repeat"] = attempt
                record["warm_rss_kib"] = warm_rss.get(record["handler_pid"])
                records.append(record)
                handler = record["workers"][str(record["handler_pid"])]
                print(f"[{backend}] {size_mb} MB #{attempt}: {record['seconds']:.2f}s, "
                      f"worker {record['handler_pid']} RSS {handler['baseline_kib'] / 1024:.0f}"
                      f" -> {handler['peak_kib'] / 1024:.0f} MB", file=sys.stderr)
        seen = {int(pid) for r in records for pid in r["workers"]}
        if seen != set(server.worker_pids()):
            print(f"[{backend}] WARNING: workers changed during the run (restart?)",
                  file=sys.stderr)
    return records


def summarize(records: list[dict]) -> list[dict]:
    rows = []
    keys = sorted({(r["backend"], r["size_mb"]) for r in records}, key=lambda k: (k[0], k[1]))
    for backend, size_mb in keys:
        group = [r for r in records if r["backend"] == backend and r["size_mb"] == size_mb]
        handlers = [r["workers"][str(r["handler_pid"])] for r in group]
        median = statistics.median(r["seconds"] for r in group)

        def med_phase(a, b, group=group):
            values = [r["phases"][b] - (r["phases"][a] if a else 0) for r in group
                      if (a is None or r["phases"][a] is not None) and r["phases"][b] is not None]
            return statistics.median(values) if values else None

        rows.append({
            "backend": backend,
            "size_mb": size_mb,
            "runs": len(group),
            "median_s": median,
            "mb_per_s": size_mb / median if median else None,
            "baseline_mb": statistics.median(h["baseline_kib"] for h in handlers) / 1024,
            "peak_mb": max(h["peak_kib"] for h in handlers) / 1024,
            "growth_mb": max(h["growth_kib"] for h in handlers) / 1024,
            "growth_since_warmup_mb": max(h["peak_kib"] - r["warm_rss_kib"]
                                          for h, r in zip(handlers, group, strict=True)) / 1024,
            "any_worker_growth_mb": max(w["growth_kib"] for r in group
                                        for w in r["workers"].values()) / 1024,
            "extract_child_peak_mb": max(h["children_peak_kib"] for h in handlers) / 1024,
            "written_x": statistics.median(h["wchar"] for h in handlers) / (size_mb * MIB),
            "read_x": statistics.median(h["rchar"] for h in handlers) / (size_mb * MIB),
            "to_ingest_spool_s": med_phase(None, "ingest_spool_seen"),
            "spool_copy_s": med_phase("ingest_spool_seen", "ingest_spool_full"),
            "after_spool_s": med_phase("ingest_spool_full", "request_end"),
        })
    return rows


def _fmt(value, spec: str) -> str:
    return "–" if value is None else format(value, spec)


def print_tables(rows: list[dict]) -> None:
    print("| backend | size MB | median s | MB/s | worker RSS baseline MB "
          "| worker peak RSS MB | growth MB | growth since warm-up MB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['backend']} | {r['size_mb']} | {r['median_s']:.3f} | {r['mb_per_s']:.0f} "
              f"| {r['baseline_mb']:.0f} | {r['peak_mb']:.0f} | {r['growth_mb']:.1f} "
              f"| {r['growth_since_warmup_mb']:.1f} |")
    print()
    print("| backend | size MB | to app spool s | spool copy s | extract + hash + store s "
          "| bytes written / size | extract child peak MB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['backend']} | {r['size_mb']} | {_fmt(r['to_ingest_spool_s'], '.2f')} "
              f"| {_fmt(r['spool_copy_s'], '.2f')} | {_fmt(r['after_spool_s'], '.2f')} "
              f"| {r['written_x']:.2f} | {r['extract_child_peak_mb']:.0f} |")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")],
                        default=[1, 50, 500], help="file sizes in MiB, comma-separated")
    parser.add_argument("--backend", choices=["local", "s3", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--interval", type=float, default=0.05, help="RSS sampling seconds")
    parser.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                        type=lambda kv: tuple(kv.split("=", 1)),
                        help="extra environment for gunicorn, e.g. MALLOC_ARENA_MAX=2 (repeatable)")
    parser.add_argument("--keep", action="store_true",
                        help="keep each server's temp dir (DB, logs) for inspection")
    return parser.parse_args(argv)


def main() -> None:
    args = parse_args()
    backends = ["local", "s3"] if args.backend == "both" else [args.backend]
    started = time.strftime("%Y%m%d-%H%M%S")
    cache = Path(tempfile.mkdtemp(prefix="lockstep-bench-payloads-"))
    moto = None
    records: list[dict] = []
    try:
        # Every measured file exists (and is on disk) before any server starts, so both
        # backends read the same, equally cached files.
        for size_mb in args.sizes:
            for attempt in range(args.repeat):
                payload(cache, size_mb, size_mb * 1000 + attempt, "upload")
        os.sync()
        if "s3" in backends:
            moto = start_moto(cache / "moto.log")
        for backend in backends:
            records += run_backend(backend, args, cache, moto and moto[1])
    finally:
        if moto:
            moto[0].terminate()
            moto[0].wait(timeout=10)
        shutil.rmtree(cache, ignore_errors=True)
    rows = summarize(records)
    print(f"\nrepeat={args.repeat}, workers={args.workers}x4 threads, "
          f"{machine_info()['cpus']} CPUs; median wall time, peak/growth = worst run\n")
    print_tables(rows)
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"upload-{started}.json"
    out.write_text(json.dumps({"args": vars(args), "machine": machine_info(), "summary": rows,
                               "uploads": records}, indent=1))
    print(f"\nraw results: {out}")


if __name__ == "__main__":
    main()
