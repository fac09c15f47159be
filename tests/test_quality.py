"""Project hygiene that CI enforces: lint, format, migrations, deploy checks, declarations."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import path
from django.views import View

from core.checks import check_declared_permissions
from core.views import KervanView

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(*args, env=None):
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env=env, check=False)


def test_ruff_lint_is_clean():
    result = run(str(BIN / "ruff"), "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean():
    result = run(str(BIN / "ruff"), "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_no_missing_migrations():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_deploy_check_passes_with_production_values():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "p" * 30 + "-Xq7!mZ2#vL9$wR4&tY8*uI1^oP5(aS3)dF6",
        "DJANGO_ALLOWED_HOSTS": "crm.example.com",
        "DJANGO_SECURE_SSL_REDIRECT": "true",
        "DJANGO_SECURE_COOKIES": "true",
        "DJANGO_HSTS_SECONDS": "31536000",
        "SITE_URL": "https://crm.example.com",
    }
    result = run(
        sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING", env=env
    )
    assert result.returncode == 0, result.stdout + result.stderr


class Undeclared(View):
    def get(self, request):
        return None


Undeclared.__module__ = "accounts.views.fake"


class Declared(KervanView):
    permissions = {"GET": "employees.nonsense"}


Declared.__module__ = "accounts.views.fake"

urlpatterns = [path("a/", Undeclared.as_view()), path("b/", Declared.as_view())]


def test_undeclared_or_unknown_permissions_are_system_check_errors(settings):
    settings.ROOT_URLCONF = __name__
    from django.urls import clear_url_caches

    clear_url_caches()
    try:
        ids = [error.id for error in check_declared_permissions(None)]
    finally:
        clear_url_caches()
    assert ids == ["kervan.E001", "kervan.E002"]


def test_the_real_urlconf_passes_the_declaration_check():
    assert check_declared_permissions(None) == []


def test_view_that_declares_nothing_refuses_to_run(rf):
    from django.core.exceptions import ImproperlyConfigured

    class Bare(KervanView):
        def get(self, request):
            return None

    with pytest.raises(ImproperlyConfigured):
        Bare.as_view()(rf.get("/"))


def untranslated(po_text):
    """msgids with an empty translation or a fuzzy flag (the header excluded)."""
    problems = []
    for block in po_text.split("\n\n"):
        msgid = re.search(r'^msgid "(.*)"', block, re.M)
        if not msgid or block.lstrip().startswith(
            ('msgid ""\nmsgstr ""', '#, fuzzy\nmsgid ""\nmsgstr ""')
        ):
            continue
        if "#, fuzzy" in block or re.search(r'^msgstr(\[\d\])? ""\n(?!")', block + "\n", re.M):
            problems.append(msgid.group(1))
    return problems


def test_turkish_is_complete_for_every_source_string(tmp_path):
    """Extract the strings afresh in a copy of the sources: none may lack Turkish."""
    copy = tmp_path / "src"
    ignore = shutil.ignore_patterns(".venv", "node_modules", "var", ".git", "*.mo", "vendor")
    shutil.copytree(ROOT, copy, ignore=ignore)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "tr", "--no-location",
         "--no-obsolete", "--ignore=tests", "--ignore=static"],
        cwd=copy, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    po = (copy / "locale/tr/LC_MESSAGES/django.po").read_text()
    assert untranslated(po) == []
