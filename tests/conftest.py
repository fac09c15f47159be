import pytest
from django.core.cache import cache

from tests.factories import make_world


@pytest.fixture
def world(db):
    return make_world("Acme", "a")


@pytest.fixture
def other_world(db):
    return make_world("Globex", "b")


@pytest.fixture
def login(client):
    """Log the client in as the given employee (or user) and return the client."""

    def _login(person):
        client.force_login(getattr(person, "user", person))
        return client

    return _login


@pytest.fixture(autouse=True)
def test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # pytest-django swaps in the locmem backend; every e-mail must go through the outbox.
    settings.EMAIL_BACKEND = "core.mail.OutboxBackend"
    # Each test gets an empty cache of its own (rate limits live there).
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"}
    }
    cache.clear()
