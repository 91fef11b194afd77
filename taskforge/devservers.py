"""Throwaway PostgreSQL and Redis servers in a temporary folder, for tests and benchmarks.

Both listen on a Unix socket inside their folder only (no TCP port), keep nothing on disk
that matters (no fsync, no snapshots) and are stopped and deleted by stop(). The binaries
come from the Debian packages postgresql and redis-server (.ci/run installs them).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

START_TIMEOUT = 30.0


class ServerUnavailable(RuntimeError):
    """The server's programs are not installed, or it would not start; the message says why."""


def _postgres_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def _as_owner(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; as root, run it as the postgres account.
    if os.geteuid() != 0:
        return command
    runuser = shutil.which("runuser")
    if runuser is None:
        raise ServerUnavailable("running as root without runuser: cannot start PostgreSQL")
    return [runuser, "-u", "postgres", "--", *command]


@dataclass
class PostgresServer:
    """A private PostgreSQL cluster; url() names a database on it."""

    folder: Path
    process: subprocess.Popen | None = None
    databases: list[str] = field(default_factory=list)

    @property
    def socket_dir(self) -> Path:
        return self.folder / "socket"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://taskforge@/{database}?host={self.socket_dir}"

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create a database (optionally a copy of template) and return its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as connection:
            clause = f" TEMPLATE {template}" if template else ""
            connection.execute(f'CREATE DATABASE "{name}"{clause}')
        self.databases.append(name)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # "smart" shutdown would wait for clients; TERM is fast
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_postgres(parent: str | None = None) -> PostgresServer:
    """initdb and start a cluster in a new temporary folder; ServerUnavailable if impossible."""
    initdb, postgres = _postgres_bin("initdb"), _postgres_bin("postgres")
    if initdb is None or postgres is None:
        raise ServerUnavailable(
            "PostgreSQL is not installed (no initdb/postgres; apt-get install postgresql)"
        )
    folder = Path(tempfile.mkdtemp(prefix="taskforge-pg-", dir=parent))
    server = PostgresServer(folder)
    data = folder / "data"
    server.socket_dir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(server.socket_dir, "postgres")
        os.chmod(folder, 0o755)
    log = folder / "initdb.log"
    try:
        with open(log, "wb") as out:
            done = subprocess.run(
                _as_owner(
                    [
                        initdb,
                        "-D",
                        str(data),
                        "-U",
                        "taskforge",
                        "-A",
                        "trust",
                        "-E",
                        "UTF8",
                        "--locale=C",
                        "--no-sync",
                    ]  # fmt: skip
                ),
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=120,
            )
        if done.returncode != 0:
            raise ServerUnavailable(f"initdb failed: {log.read_text()[-500:]}")
        with open(folder / "postgres.log", "wb") as log_file:  # the child keeps its own copy
            server.process = subprocess.Popen(
                _as_owner(
                    [
                        postgres,
                        "-D",
                        str(data),
                        "-k",
                        str(server.socket_dir),
                        "-c",
                        "listen_addresses=",
                        "-F",
                        "-c",
                        "full_page_writes=off",
                        "-c",
                        "synchronous_commit=off",
                        "-c",
                        "max_connections=200",
                    ]  # fmt: skip
                ),
                stdout=subprocess.DEVNULL,
                stderr=log_file,
            )
        _wait_for(lambda: _pg_ready(server), "PostgreSQL", server.process)
    except BaseException:
        server.stop()
        raise
    return server


def _pg_ready(server: PostgresServer) -> bool:
    import psycopg

    try:
        with psycopg.connect(server.url(), connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False


@dataclass
class RedisServer:
    """A private Redis server on a Unix socket."""

    folder: Path
    process: subprocess.Popen | None = None

    @property
    def socket(self) -> Path:
        return self.folder / "redis.sock"

    def url(self, db: int = 0) -> str:
        return f"unix://{self.socket}?db={db}"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_redis(parent: str | None = None) -> RedisServer:
    """Start redis-server in a new temporary folder; ServerUnavailable if impossible."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise ServerUnavailable(
            "Redis is not installed (no redis-server; apt-get install redis-server)"
        )
    folder = Path(tempfile.mkdtemp(prefix="taskforge-redis-", dir=parent))
    server = RedisServer(folder)
    try:
        with open(folder / "redis.log", "wb") as log_file:  # the child keeps its own copy
            server.process = subprocess.Popen(
                [
                    binary,
                    "--port",
                    "0",
                    "--unixsocket",
                    str(server.socket),
                    "--unixsocketperm",
                    "700",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(folder),
                ],  # fmt: skip
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        _wait_for(lambda: _redis_ready(server), "Redis", server.process)
    except BaseException:
        server.stop()
        raise
    return server


def _redis_ready(server: RedisServer) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(server.url(), socket_timeout=2).ping())
    except (redis.ConnectionError, FileNotFoundError):
        return False


def _wait_for(ready, name: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerUnavailable(f"{name} exited at start (code {process.returncode})")
        if ready():
            return
        time.sleep(0.05)
    raise ServerUnavailable(f"{name} did not answer within {START_TIMEOUT:.0f} s")


@dataclass
class GunicornServer:
    """The reference under gunicorn with several workers, on a free loopback port."""

    base_url: str
    process: subprocess.Popen
    metrics_dir: Path
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.metrics_dir, ignore_errors=True)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(
    environment: dict[str, str], *, workers: int = 2, log_dir: str
) -> GunicornServer:
    """Start `gunicorn -c python:taskforge.gunicorn_conf` with the TASKFORGE_* settings given
    and wait until it answers /api/health; ServerUnavailable if it does not."""
    import sys
    import urllib.request

    port = free_port()
    metrics_dir = Path(tempfile.mkdtemp(prefix="taskforge-metrics-"))
    log = Path(log_dir) / f"gunicorn-{port}.log"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TASKFORGE_")},
        **environment,
        "TASKFORGE_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    root = Path(__file__).resolve().parent.parent
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:taskforge.gunicorn_conf"],
            cwd=root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = GunicornServer(f"http://127.0.0.1:{port}", process, metrics_dir, log)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def ready() -> bool:
        try:
            with opener.open(server.base_url + "/api/health", timeout=2) as answer:
                return answer.status == 200
        except OSError:
            return False

    try:
        _wait_for(ready, "gunicorn", process)
    except BaseException:
        server.stop()
        raise
    return server
