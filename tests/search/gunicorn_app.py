"""Lockstep as users run it, for the search tests that must see several worker processes: a
fresh SQLite database migrated with `flask db upgrade`, a marketer and a rep with API tokens,
and gunicorn on a free port (bench/common.py's LockstepServer does the same for benchmarks)."""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


class GunicornLockstep:
    def __init__(self, workdir: Path, workers: int = 2, threads: int = 4) -> None:
        self.dir, self.workers, self.threads = workdir, workers, threads
        self.port = _free_port()
        self.db_path = workdir / "lockstep.db"
        self.index_dir = workdir / "search-index"
        self.log_path = workdir / "gunicorn.log"
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("REDIS_URL", "DATABASE_URL", "TEST_DATABASE_URL")}
        self.env.update({
            "FLASK_APP": "wsgi:app", "LOCKSTEP_ENV": "production", "FORCE_HTTPS": "false",
            "SECRET_KEY": secrets.token_urlsafe(48), "DATABASE_URL": f"sqlite:///{self.db_path}",
            "STORAGE_LOCAL_ROOT": str(workdir / "blobs"),
            "UPLOAD_TMP_DIR": str(workdir / "upload-tmp"),
            "SEARCH_INDEX_DIR": str(self.index_dir),
            "RATELIMIT_UPLOADS": "100000 per minute",
        })
        self.proc: subprocess.Popen | None = None
        self.tokens: dict[str, str] = {}

    def flask(self, *args: str) -> str:
        return subprocess.run([str(VENV_BIN / "flask"), *args], cwd=ROOT, env=self.env,
                              check=True, capture_output=True, text=True).stdout

    def start(self) -> GunicornLockstep:
        self.flask("db", "upgrade")
        for role in ("marketer", "rep"):
            email = f"{role}@live.test"
            self.flask("users", "create", "--email", email, "--name", role.title(), "--role",
                       role, "--password", secrets.token_urlsafe(18))
            self.tokens[role] = self.flask("users", "token", email, "--label", "live").strip()
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [str(VENV_BIN / "gunicorn"), "--workers", str(self.workers), "--threads",
                 str(self.threads), "--bind", f"127.0.0.1:{self.port}", "wsgi:app"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log()}")
            try:
                if self.request("GET", "/api/v1/me", "rep")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn not ready after {timeout} s:\n{self.log()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    # --- requests ---------------------------------------------------------------------

    def request(self, method: str, path: str, role: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, object]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers={
                "Authorization": f"Bearer {self.tokens[role]}", **(headers or {})})
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        kind = response.getheader("Content-Type", "")
        return response.status, json.loads(data) if kind.startswith("application/json") else data

    def upload(self, text: str, **fields: str) -> int:
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                 f"{value}\r\n" for name, value in fields.items()]
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                     f'filename="note.md"\r\nContent-Type: text/markdown\r\n\r\n{text}\r\n'
                     f"--{boundary}--\r\n")
        status, body = self.request(
            "POST", "/api/v1/assets", "marketer", "".join(parts).encode(),
            {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        assert status == 201, body
        return body["id"]

    def edit(self, asset_id: int, **values: str) -> None:
        status, body = self.request("PATCH", f"/api/v1/assets/{asset_id}", "marketer",
                                    json.dumps(values).encode(),
                                    {"Content-Type": "application/json"})
        assert status == 200, body

    def search(self, q: str, role: str = "rep") -> dict:
        status, body = self.request("GET", f"/api/v1/search?q={q}", role)
        assert status == 200, body
        return body

    # --- probes -----------------------------------------------------------------------

    def pending(self) -> int:
        with closing(sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)) as conn:
            return conn.execute(
                "SELECT count(*) FROM search_outbox WHERE applied_at IS NULL").fetchone()[0]

    def index_generation(self) -> tuple[str, int]:
        """(live generation, latest Whoosh commit): changes with every index write."""
        live = (self.index_dir / "CURRENT").read_text().strip()
        tocs = [int(m.group(1)) for p in (self.index_dir / live).iterdir()
                if (m := re.fullmatch(r"_MAIN_(\d+)\.toc", p.name))]
        return live, max(tocs)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
