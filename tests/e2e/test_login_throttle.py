"""Repeated wrong passwords at the login form end in allauth's throttle message."""

import re

import pytest
from allauth.core import ratelimit
from django.conf import settings
from django.test import RequestFactory
from playwright.sync_api import expect

from tests import factories
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

EMAIL = "throttled@example.com"
WRONG = "not-the-password-1"
INCORRECT = "The email address and/or password you specified are not correct."
THROTTLED = "Too many failed login attempts. Try again later."


def clear_login_failures():
    """Forget the login failures counted for the test's address and for the loopback client.

    The counters live in the cache (locmem in this process, shared with the live server, or
    Redis when REDIS_URL is set), which outlives the test database.
    """
    from django.contrib.sites.models import Site

    key = f"{Site.objects.get_current().domain}:{EMAIL}"
    for ip in ("127.0.0.1", "::1"):
        request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=ip)
        ratelimit.clear(request, action="login_failed", key=key)


@pytest.fixture
def clean_counters(transactional_db):
    clear_login_failures()
    yield
    clear_login_failures()


def test_login_throttle_visible(browsing, clean_counters):
    factories.make_user(EMAIL, "Tara")
    # "10/m/ip,5/5m/key": the smallest amount is how many failures pass before the throttle.
    rates = settings.ACCOUNT_RATE_LIMITS["login_failed"].split(",")
    allowed = min(int(rate.strip().split("/")[0]) for rate in rates)
    assert allowed <= 20, "login_failed allows so many failures that this test would crawl"

    page = browsing.new_page()
    main = page.locator("main")
    for _attempt in range(allowed):
        log_in(page, EMAIL, WRONG)
        expect(main).to_contain_text(INCORRECT)
        expect(main).not_to_contain_text(THROTTLED)

    log_in(page, EMAIL, WRONG)
    expect(main).to_contain_text(THROTTLED)
    # Throttled means throttled: even the right password is turned away for now.
    log_in(page, EMAIL, factories.PASSWORD)
    expect(main).to_contain_text(THROTTLED)
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator("#user-menu")).to_have_count(0)

    browsing.assert_clean()
