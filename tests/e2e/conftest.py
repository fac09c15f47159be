"""Browser tests: Playwright driving the machine's Chromium against pytest-django's live server.

- The live server runs in a thread of this process, so the tests need ``transactional_db``, and
  settings changed with the ``settings`` fixture (SITE_URL, the SMTP port) reach it.
- E-mail takes the product's real path: the outbox row is delivered by ``core.mail.deliver`` (what
  the Celery worker runs) over SMTP to an aiosmtpd server on loopback, and the tests read the
  links out of the messages that server received.
- Every page opened through ``browsing`` records JavaScript errors, console errors and CSP
  violations; a test fails if any page it opened logged one.
"""

import email
import os
import re
import socket
from email import policy

import kombu.pools
import pytest
from aiosmtpd.controller import Controller
from django.test.utils import override_settings
from playwright.sync_api import expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000
FAVICON = re.compile(r"/favicon\.ico$")

expect.set_options(timeout=TIMEOUT_MS)


# --- the live server ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, started with a MEDIA_URL it can parse.

    The product sets ``MEDIA_URL = None`` on purpose (private files have no public URL, so
    ``storage.url()`` raises). Django's LiveServerThread wraps the site in a media-file handler
    that parses MEDIA_URL once, when the server thread starts; with None every request fails with
    a TypeError. The override lasts only while the thread starts: the product runs with None.
    """
    addr = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    with override_settings(MEDIA_URL="/__media-never-served-by-the-live-server__/"):
        server = LiveServer(addr)
    yield server
    server.stop()


# --- the browser -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    # Module scope: the sync API keeps an event loop running in this thread while it is active,
    # so it is stopped again before the next module's (non-browser) tests run.
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


class Browsing:
    """Opens fresh browser contexts on the live server and collects what went wrong in them."""

    def __init__(self, browser, base_url):
        self.browser = browser
        self.base_url = base_url
        self.contexts = []
        self.problems = []
        self.reported = 0

    def new_page(self, **context_options):
        options = {
            "base_url": self.base_url,
            "locale": "en-US",
            "viewport": {"width": 1280, "height": 800},
            **context_options,
        }
        context = self.browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message, page=page: self._console(page, message))
        page.on("pageerror", lambda error, page=page: self._record(page, f"uncaught: {error}"))
        return page

    def _console(self, page, message):
        # Chromium reports CSP violations ("Refused to ...") and failed resource loads as
        # console errors too. The favicon is left out: Chromium fetches it in the background,
        # so whether its failure is logged before a page moves on is a matter of timing;
        # test_layout.py checks it deterministically instead.
        if message.type == "error" and not FAVICON.search(message.location.get("url") or ""):
            where = message.location.get("url") or ""
            self._record(page, f"console error: {message.text} ({where})")

    def _record(self, page, text):
        self.problems.append(f"{page.url}: {text}")

    def take(self):
        """Return the problems not yet reported and count them as reported (expected ones)."""
        new = self.problems[self.reported :]
        self.reported = len(self.problems)
        return new

    def assert_clean(self):
        """Fail on every console error, uncaught exception or CSP violation not yet reported."""
        new = self.take()
        assert not new, "the browser reported errors:\n" + "\n".join(new)

    def close(self):
        for context in self.contexts:
            context.close()
        self.contexts = []


@pytest.fixture
def live_site(live_server, settings):
    """The live server's URL, also used as SITE_URL for links in e-mails."""
    settings.SITE_URL = live_server.url
    return live_server.url


@pytest.fixture
def browsing(browser, live_site, transactional_db):
    session = Browsing(browser, live_site)
    yield session
    session.close()
    session.assert_clean()


# --- e-mail ------------------------------------------------------------------------------------


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Collector:
    """aiosmtpd handler keeping every message it accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class Mailbox:
    """What the SMTP server received, and a way to run the outbox delivery the worker runs."""

    def __init__(self, collector):
        self.collector = collector
        self.read = 0

    def deliver(self):
        """Deliver every pending outbox row with ``core.mail.deliver``; return the new messages.

        Each item is ``(recipients, email.message.EmailMessage)``. A delivery that does not end
        as sent fails the test with the row's error.
        """
        from core import mail
        from core.models import OutboxEmail

        pending = OutboxEmail.objects.filter(
            status__in=[OutboxEmail.Status.PENDING, OutboxEmail.Status.RETRYING]
        ).order_by("created_at", "pk")
        for row in pending:
            status = mail.deliver(row.pk)
            row.refresh_from_db()
            assert status == OutboxEmail.Status.SENT, (row.subject, row.status, row.last_error)
        new = self.collector.messages[self.read :]
        self.read = len(self.collector.messages)
        return new

    def deliver_one(self, to):
        """Deliver pending mail and return the one new message for ``to``."""
        found = [message for rcpt, message in self.deliver() if to in rcpt]
        assert len(found) == 1, f"expected one e-mail to {to}, got {len(found)}"
        return found[0]


def body_text(message):
    part = message.get_body(preferencelist=("plain",))
    return part.get_content()


def link_in(message, path_pattern):
    """The first absolute link in the plain-text body whose path matches ``path_pattern``."""
    text = body_text(message)
    for url in re.findall(r"https?://[^\s<>\"]+", text):
        if re.search(path_pattern, url):
            return url
    raise AssertionError(f"no link matching {path_pattern!r} in:\n{text}")


def _publish_to(url, env_url):
    """Point this process's Celery app (and its cached connection pools) at ``url``.

    Celery's ``broker_url`` prefers the ``CELERY_BROKER_URL`` environment variable to its
    configuration, so that is set too (or removed when ``env_url`` is None).
    """
    from crm.celery import app

    if env_url is None:
        os.environ.pop("CELERY_BROKER_URL", None)
    else:
        os.environ["CELERY_BROKER_URL"] = env_url
    app.conf.broker_url = url
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down():
    """Celery publishes to a loopback port nobody listens on while the test runs.

    The product takes its "broker unavailable" path (the row stays pending for the sweeper), so
    no worker anywhere can take this test's e-mail, and the machine's Redis gets no messages for
    rows that exist only in the test database. ``Mailbox.deliver`` then does the worker's job.
    """
    from crm.celery import app

    saved_env = os.environ.get("CELERY_BROKER_URL")
    saved_conf = app.conf.get("broker_url")
    dead = f"redis://127.0.0.1:{free_port()}/0"
    _publish_to(dead, dead)
    yield
    _publish_to(saved_conf, saved_env)


@pytest.fixture
def mailbox(settings, broker_down):
    collector = Collector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    try:
        yield Mailbox(collector)
    finally:
        controller.stop()


# --- helpers -----------------------------------------------------------------------------------


def log_in(page, email_address, password):
    """Log in through the real allauth form at /accounts/login/."""
    page.goto("/accounts/login/")
    form = page.locator("main form[action$='/accounts/login/']")
    form.locator("input[name=login]").fill(email_address)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()


def switch_language(page, code):
    """Choose a language from the navigation's language menu."""
    page.locator("#language-menu").click()
    choice = page.locator(f"button[name=language][value={code}]")
    expect(choice).to_be_visible()
    choice.click()
    expect(page.locator("html")).to_have_attribute("lang", code)
    page.wait_for_load_state("load")  # the new page's stylesheets, before anyone measures
