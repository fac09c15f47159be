"""Loaded as a pytest plugin before Django is set up: the environment the test run needs.

Values already set in the environment win (CI sets DATABASE_URL and REDIS_URL).
"""

import os
import tempfile

DEFAULTS = {
    "DJANGO_SECRET_KEY": "test-secret-key-not-for-production",
    "DJANGO_DEBUG": "false",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "DJANGO_SECURE_COOKIES": "false",
    "DJANGO_HSTS_SECONDS": "0",
    "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/kervan",
    "PRIVATE_MEDIA_ROOT": tempfile.mkdtemp(prefix="kervan-test-media-"),
    "STATIC_ROOT": tempfile.mkdtemp(prefix="kervan-test-static-"),
    "SITE_URL": "http://testserver",
    "EMAIL_URL": "smtp://127.0.0.1:2525",
    "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
    "LOG_LEVEL": "WARNING",
}

for name, value in DEFAULTS.items():
    os.environ.setdefault(name, value)

# Tasks published by the test process go to a database no worker of a demo listens to; the
# integration tests start their own broker and point the app at it.
if "CELERY_BROKER_URL" not in os.environ:
    base = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
    os.environ["CELERY_BROKER_URL"] = f"{base}/15"
