"""Merge-field templates: rendered in a sandbox over plain values, then to PDF by WeasyPrint.

- The engine is Jinja2's ``ImmutableSandboxedEnvironment``: attribute walking such as
  ``''.__class__`` is refused, lists and dicts cannot be changed, and there is no loader, so
  ``include``, ``import`` and ``extends`` cannot reach a file. The context holds only strings,
  numbers, lists and dicts (see ``documents.merge``), never model objects or settings.
- The output is capped (``MAX_OUTPUT``), so a loop cannot exhaust memory.
- WeasyPrint fetches nothing but ``data:`` URLs: no server file (``file://``), no network.

A failure raises :class:`RenderError`, whose message names the template line.
"""

import base64
import contextvars
import logging
import operator
import sys

from django.utils.translation import gettext as _
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

MAX_SOURCE = 200_000  # characters of template source
MAX_OUTPUT = 2_000_000  # characters of rendered HTML
MAX_ITERATIONS = 100_000  # items all ``range()`` calls of one rendering may produce together
MAX_POWER = 100  # the largest exponent ``**`` accepts
TEMPLATE_NAME = "<template>"

logger = logging.getLogger(__name__)


class RenderError(Exception):
    """A template that cannot be rendered; ``line`` is its line number when known."""

    def __init__(self, message, line=None):
        self.message = message
        self.line = line
        super().__init__(str(self))

    def __str__(self):
        if self.line:
            return _("Line %(line)s: %(message)s") % {"line": self.line, "message": self.message}
        return str(self.message)


_iterations_left = contextvars.ContextVar("iterations_left", default=0)


def _counted_range(*args):
    """``range`` whose items count against the rendering's budget (nested loops add up)."""
    items = range(*args)
    left = _iterations_left.get() - len(items)
    if left < 0:
        raise SecurityError(_("too many loop iterations"))
    _iterations_left.set(left)
    return items


class _Sandbox(ImmutableSandboxedEnvironment):
    """Also bounds what ``*`` and ``**`` can build (``"x" * 10**9`` would exhaust memory)."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator_name, left, right):
        if operator_name == "**":
            if isinstance(right, int | float) and abs(right) > MAX_POWER:
                raise SecurityError(_("the exponent is too large"))
            return operator.pow(left, right)
        if isinstance(left, str | list | tuple) or isinstance(right, str | list | tuple):
            count = right if isinstance(left, str | list | tuple) else left
            sequence = left if isinstance(left, str | list | tuple) else right
            if isinstance(count, int) and len(sequence) * count > MAX_OUTPUT:
                raise SecurityError(_("the result would be too large"))
        return operator.mul(left, right)


_environment = _Sandbox(autoescape=True, undefined=StrictUndefined, loader=None, auto_reload=False)
_environment.globals = {"range": _counted_range, "dict": dict}


def _error_line():
    """The template line of the exception being handled (Jinja2 maps frames to it)."""
    line = None
    tb = sys.exc_info()[2]
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == TEMPLATE_NAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def compile_template(source):
    """Parse ``source``; raise :class:`RenderError` for a syntax error or an oversized one."""
    if len(source) > MAX_SOURCE:
        raise RenderError(_("The template is too long (%(max)s characters at most).")
                          % {"max": f"{MAX_SOURCE:,}"})  # fmt: skip
    if "\x00" in source:
        raise RenderError(_("The template contains a NUL character."))
    try:
        return _environment.from_string(source, globals={})
    except TemplateSyntaxError as error:
        raise RenderError(error.message or _("Syntax error."), error.lineno) from None


def render_html(source, context):
    """The HTML of ``source`` rendered over ``context`` (plain values only)."""
    template = compile_template(source)
    # Jinja2 names the frames of a template from its ``name``, which from_string leaves unset.
    template.name = template.filename = TEMPLATE_NAME
    template.root_render_func.__code__ = template.root_render_func.__code__.replace(
        co_filename=TEMPLATE_NAME
    )
    parts, size = [], 0
    budget = _iterations_left.set(MAX_ITERATIONS)
    try:
        for chunk in template.generate(context):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise RenderError(_("The rendered document is too large."), None)
            parts.append(chunk)
    except RenderError:
        raise
    except SecurityError as error:
        raise RenderError(
            _("The template uses something that is not allowed (%(detail)s).") % {"detail": error},
            _error_line(),
        ) from None
    except TemplateError as error:
        raise RenderError(error.message or _("The template cannot be rendered."), _error_line()) \
            from None  # fmt: skip
    except Exception as error:  # a filter on a wrong value type, a division by zero, ...
        raise RenderError(
            _("The template cannot be rendered: %(detail)s") % {"detail": error}, _error_line()
        ) from None
    finally:
        _iterations_left.reset(budget)
    return "".join(parts)


def data_url(content, content_type):
    """Inline bytes (a logo) as a ``data:`` URL, the only kind of URL a PDF may load."""
    return f"data:{content_type};base64,{base64.b64encode(content).decode()}"


def html_to_pdf(html):
    """WeasyPrint's PDF of ``html``; only ``data:`` URLs are fetched."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=2)
    try:
        return HTML(string=html, url_fetcher=fetcher, base_url=None).write_pdf()
    except Exception as error:
        logger.warning("PDF rendering failed: %s", error)
        raise RenderError(_("The PDF cannot be made: %(detail)s") % {"detail": error}) from None


def render_pdf(source, context):
    """Sandbox-render ``source`` over ``context`` and return the PDF bytes."""
    return html_to_pdf(render_html(source, context))
