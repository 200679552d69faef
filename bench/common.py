"""Shared helpers for the end-to-end benchmarks: a throwaway Lockstep behind real gunicorn,
deterministic payload files, a streaming multipart client and a /proc memory sampler.

Import from a script in bench/ (`python bench/x.py` puts bench/ first on sys.path):

    from common import LockstepServer, ProcSampler, post_multipart, write_payload

Linux only: memory and I/O figures come from /proc/<pid>/{status,io,fd}.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from storage_upload import FAKE_AWS_ENV, MIB, PseudoRandomStream, start_moto

__all__ = [
    "FAKE_AWS_ENV",
    "MIB",
    "REPO_ROOT",
    "LockstepServer",
    "ProcSampler",
    "free_port",
    "machine_info",
    "post_multipart",
    "proc_children",
    "proc_io",
    "proc_mem",
    "reset_peak_rss",
    "start_moto",
    "write_payload",
]

REPO_ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
BENCH_EMAIL = "bench-marketer@example.com"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- payloads -------------------------------------------------------------------------


def write_payload(path: Path, size: int, seed: int, header: bytes = b"") -> Path:
    """size bytes: header, then incompressible bytes from PseudoRandomStream(seed), 1 MiB at a
    time. The header (any unique text plus a NUL) keeps each file's hash unique and makes the
    type sniffer see binary rather than a random magic number."""
    stream = PseudoRandomStream(max(0, size - len(header)), seed=seed, seekable=False)
    buf = bytearray(MIB)
    with open(path, "wb") as out:
        out.write(header[:size])
        while n := stream.readinto(buf):
            out.write(memoryview(buf)[:n])
    return path


# --- client ---------------------------------------------------------------------------


@dataclass
class UploadResult:
    status: int
    body: bytes
    started: float  # time.monotonic() before connecting
    sent: float  # last body byte handed to the kernel
    finished: float  # response fully read

    def json(self):
        return json.loads(self.body)


def post_multipart(
    host: str,
    port: int,
    path: str,
    file_path: Path,
    *,
    filename: str,
    fields: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    content_type: str = "application/octet-stream",
    chunk: int = MIB,
    timeout: float = 900,
) -> UploadResult:
    """POST one file as multipart/form-data, streamed from disk with an exact Content-Length.

    requests' `files=` builds the whole body in memory, which would make the client (not the
    server) the thing whose memory grows; here only one `chunk` buffer is ever held.
    """
    boundary = "lockstep-bench-" + uuid.uuid4().hex
    pre = b""
    for name, value in (fields or {}).items():
        pre += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
    pre += (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    post = f"\r\n--{boundary}--\r\n".encode()
    size = os.path.getsize(file_path)
    started = time.monotonic()
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.putrequest("POST", path)
        conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        conn.putheader("Content-Length", str(len(pre) + size + len(post)))
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        buf = bytearray(chunk)
        view = memoryview(buf)
        try:
            conn.send(pre)
            with open(file_path, "rb", buffering=0) as fh:
                while n := fh.readinto(buf):
                    conn.send(view[:n])
            conn.send(post)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered early (e.g. 413); read that answer below
        sent = time.monotonic()
        response = conn.getresponse()
        body = response.read()
        return UploadResult(response.status, body, started, sent, time.monotonic())
    finally:
        conn.close()


# --- /proc ----------------------------------------------------------------------------


def proc_mem(pid: int) -> tuple[int, int] | None:
    """(VmRSS, VmHWM) in KiB, or None once the process is gone."""
    rss = hwm = 0
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return rss, hwm


def proc_io(pid: int) -> dict[str, int]:
    """rchar/wchar: bytes passed to read()/write()-family calls (any fd, page cache or not)."""
    try:
        with open(f"/proc/{pid}/io") as fh:
            return {k: int(v) for k, v in (line.split(": ") for line in fh)}
    except (FileNotFoundError, PermissionError):
        return {}


def reset_peak_rss(pid: int) -> bool:
    """Reset VmHWM to the current RSS (Linux clear_refs 5), so VmHWM afterwards is the peak of
    whatever ran in between, without the gaps of periodic sampling."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def proc_children(ppid: int) -> list[int]:
    kids = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        # Field 4 (after the parenthesised command, which may contain spaces) is the parent.
        if int(stat.rsplit(")", 1)[1].split()[1]) == ppid:
            kids.append(int(entry.name))
    return sorted(kids)


def _open_files(pid: int, prefixes: tuple[str, ...]) -> dict[str, int]:
    """Open regular files of pid whose path starts with one of prefixes: path -> size."""
    found: dict[str, int] = {}
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return found
    for fd in fds:
        link = f"/proc/{pid}/fd/{fd}"
        try:
            target = os.readlink(link)
            if target.startswith(prefixes):
                found[target] = os.stat(link).st_size  # follows to the (maybe unlinked) file
        except OSError:
            continue
    return found


class ProcSampler(threading.Thread):
    """Every `interval` seconds, for each pid: VmRSS, VmHWM, total RSS of its children (e.g. the
    extraction subprocess) and the sizes of its open files under `watch` directories."""

    def __init__(self, pids: list[int], watch: tuple[str, ...] = (), interval: float = 0.05):
        super().__init__(daemon=True)
        self.pids, self.watch, self.interval = list(pids), tuple(watch), interval
        self.samples: dict[int, list[dict]] = {pid: [] for pid in self.pids}
        self._stop_event = threading.Event()

    def sample_once(self) -> None:
        now = time.monotonic()
        for pid in self.pids:
            mem = proc_mem(pid)
            if mem is None:
                continue
            kids = proc_children(pid)
            kid_rss = sum((proc_mem(k) or (0, 0))[0] for k in kids)
            files = _open_files(pid, self.watch) if self.watch else {}
            self.samples[pid].append(
                {"t": now, "rss": mem[0], "hwm": mem[1], "children": len(kids),
                 "children_rss": kid_rss, "files": files}
            )

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.sample_once()
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()
        self.sample_once()


# --- the server -----------------------------------------------------------------------


class LockstepServer:
    """A throwaway Lockstep under gunicorn: fresh migrated SQLite DB, its own storage (a local
    directory, or a new bucket on an S3 endpoint), a marketer with an API token.

        with LockstepServer("local", workers=2) as server:
            post_multipart(server.host, server.port, "/api/v1/assets", path,
                           filename="x.bin", headers=server.auth)
    """

    def __init__(self, backend: str, *, workers: int = 2, threads: int = 4,
                 s3_endpoint: str | None = None, max_upload_bytes: int = 2 * 1024 * MIB,
                 extra_env: dict[str, str] | None = None, keep: bool = False) -> None:
        if backend not in ("local", "s3"):
            raise ValueError(backend)
        if backend == "s3" and not s3_endpoint:
            raise ValueError("s3 needs s3_endpoint (see start_moto)")
        self.backend, self.workers, self.threads = backend, workers, threads
        self.s3_endpoint, self.keep = s3_endpoint, keep
        self.host, self.port = "127.0.0.1", free_port()
        self.dir = Path(tempfile.mkdtemp(prefix=f"lockstep-bench-{backend}-"))
        self.storage_root = self.dir / "blobs"
        self.upload_tmp = self.dir / "upload-tmp"  # the app's ingest spool (UPLOAD_TMP_DIR)
        self.sys_tmp = self.dir / "sys-tmp"  # TMPDIR: Werkzeug's request-body spool
        self.bucket = f"bench-{uuid.uuid4().hex[:12]}" if backend == "s3" else None
        self.s3_prefix = "lockstep/"
        for d in (self.storage_root, self.upload_tmp, self.sys_tmp):
            d.mkdir()
        self.env = self._env(max_upload_bytes, extra_env or {})
        self.proc: subprocess.Popen | None = None
        self.token = ""
        self.log_path = self.dir / "gunicorn.log"

    def _env(self, max_upload_bytes: int, extra: dict[str, str]) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "FLASK_APP": "wsgi:app",
            "LOCKSTEP_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(48)[:48],
            "FORCE_HTTPS": "false",
            "DATABASE_URL": f"sqlite:///{self.dir / 'lockstep.db'}",
            "STORAGE_BACKEND": self.backend,
            "STORAGE_LOCAL_ROOT": str(self.storage_root),
            "UPLOAD_TMP_DIR": str(self.upload_tmp),
            "SEARCH_INDEX_DIR": str(self.dir / "search-index"),
            "MAX_UPLOAD_BYTES": str(max_upload_bytes),
            "TMPDIR": str(self.sys_tmp),
        })
        if self.backend == "s3":
            env.update(FAKE_AWS_ENV)
            env.update({"S3_BUCKET": self.bucket, "S3_PREFIX": self.s3_prefix,
                        "S3_ENDPOINT_URL": self.s3_endpoint, "AWS_REGION": "us-east-1",
                        "S3_PRESIGN": "false"})
        env.update(extra)
        return env

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def flask(self, *args: str) -> str:
        out = subprocess.run([str(VENV_BIN / "flask"), *args], cwd=REPO_ROOT, env=self.env,
                             check=True, capture_output=True, text=True)
        return out.stdout

    def s3_client(self):
        import boto3
        from botocore.config import Config

        return boto3.client("s3", endpoint_url=self.s3_endpoint, region_name="us-east-1",
                            aws_access_key_id=FAKE_AWS_ENV["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=FAKE_AWS_ENV["AWS_SECRET_ACCESS_KEY"],
                            config=Config(s3={"addressing_style": "path"}))

    def delete_blob(self, sha256: str) -> None:
        """Drop a stored blob behind the app's back, so disk (or moto's memory) stays bounded
        across a long run. The row still points at it; this database is thrown away anyway."""
        key = f"{sha256[:2]}/{sha256[2:4]}/{sha256}"
        if self.backend == "local":
            with contextlib.suppress(FileNotFoundError):
                (self.storage_root / key).unlink()
        else:
            self.s3_client().delete_object(Bucket=self.bucket, Key=self.s3_prefix + key)

    def start(self) -> LockstepServer:
        if self.backend == "s3":
            self.s3_client().create_bucket(Bucket=self.bucket)
        self.flask("db", "upgrade")
        self.flask("users", "create", "--email", BENCH_EMAIL, "--name", "Bench Marketer",
                   "--role", "marketer", "--password", secrets.token_urlsafe(18))
        self.token = self.flask("users", "token", BENCH_EMAIL, "--label", "bench").strip()
        cmd = [str(VENV_BIN / "gunicorn"), "--workers", str(self.workers), "--threads",
               str(self.threads), "--timeout", "600", "--bind", f"{self.host}:{self.port}",
               "wsgi:app"]
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT)
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}:\n{self.log_tail()}")
            if len(self.worker_pids()) == self.workers:
                try:
                    conn = http.client.HTTPConnection(self.host, self.port, timeout=2)
                    conn.request("GET", "/api/v1/me", headers=self.auth)
                    status = conn.getresponse().status
                    conn.close()
                    if status == 200:
                        return
                    raise RuntimeError(f"/api/v1/me answered {status}:\n{self.log_tail()}")
                except (ConnectionError, OSError):
                    pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn not ready after {timeout}s:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        return proc_children(self.proc.pid) if self.proc else []

    def log_tail(self, n: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        return ""

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()  # gunicorn's graceful shutdown
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> LockstepServer:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


# --- reporting ------------------------------------------------------------------------


def _run(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return ""


def machine_info() -> dict[str, object]:
    def version(module: str) -> str:
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as v

        try:
            return v(module)
        except PackageNotFoundError:
            return "?"

    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "memory": _run(["free", "-h"]).splitlines()[1:2],
        "cpu_model": next((line.split(":", 1)[1].strip() for line in
                           _run(["lscpu"]).splitlines() if line.startswith("Model name")), "?"),
        "gunicorn": version("gunicorn"),
        "werkzeug": version("werkzeug"),
        "boto3": version("boto3"),
        "moto": version("moto"),
    }
