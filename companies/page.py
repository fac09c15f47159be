"""What other modules add to the firm's 360° page: tabs, and buttons in its header.

A tab is a URL name taking ``(tenant_slug, firm_pk)``; a button is a URL name taking
``(tenant_slug,)`` opened with ``?firm=<pk>``. Each is shown only to members holding its
permission code. Modules register theirs when their app is ready.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode


@dataclass(frozen=True)
class Tab:
    url_name: str
    label: str
    permission: str = ""
    order: int = 100

    @property
    def key(self):
        return self.url_name.split("-")[-1]


@dataclass(frozen=True)
class Action:
    url_name: str
    label: str
    icon: str
    permission: str
    element_id: str = ""
    order: int = 100


_tabs: list[Tab] = []
_actions: list[Action] = []


def register_tab(tab):
    _tabs.append(tab)
    _tabs.sort(key=lambda item: item.order)
    return tab


def register_action(action):
    _actions.append(action)
    _actions.sort(key=lambda item: item.order)
    return action


def _allowed(member, code):
    return not code or code in member.permission_codes


def tabs(tenant, member, firm):
    """``(url, label, key)`` of the tabs ``member`` may open."""
    found = []
    for tab in _tabs:
        if not _allowed(member, tab.permission):
            continue
        try:
            found.append((reverse(tab.url_name, args=[tenant.slug, firm.pk]), tab.label, tab.key))
        except NoReverseMatch:
            continue
    return found


def actions(tenant, member, firm):
    """``(url, label, icon, element_id)`` of the header buttons ``member`` may use."""
    found = []
    for action in _actions:
        if not _allowed(member, action.permission):
            continue
        try:
            url = reverse(action.url_name, args=[tenant.slug])
        except NoReverseMatch:
            continue
        url = f"{url}?{urlencode({'firm': firm.pk})}"
        found.append((url, action.label, action.icon, action.element_id))
    return found


def _register_own():
    from django.utils.translation import gettext_lazy as _

    for order, (name, label) in enumerate(
        [
            ("companies:firm-references", _("References")),
            ("companies:firm-samples", _("Samples")),
            ("companies:firm-lists", _("Customer lists")),
            ("companies:firm-comments", _("Comments")),
        ]
    ):
        register_tab(Tab(name, label, order=10 + order))
