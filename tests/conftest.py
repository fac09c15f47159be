import pytest

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
