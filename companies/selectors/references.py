"""Reads of a firm's references, samples and comments."""

from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404

from companies.models import Comment, Reference, Sample
from companies.selectors.firms import visible_firms


def firm_references(*, tenant, member, firm):
    """Who recommended ``firm``; ``referrer_visible`` says whether the member may open the
    recommending firm."""
    visible = visible_firms(tenant=tenant, member=member)
    return (
        Reference.objects.filter(tenant=tenant, firm=firm)
        .select_related("referrer_firm", "created_by")
        .annotate(referrer_visible=Exists(visible.filter(pk=OuterRef("referrer_firm_id"))))
        .order_by("-created_at", "-id")
    )


def firm_recommended(*, tenant, member, firm):
    """The firms ``firm`` recommended, as far as the member may see them."""
    return (
        Reference.objects.filter(tenant=tenant, referrer_firm=firm)
        .filter(firm__in=visible_firms(tenant=tenant, member=member).values("pk"))
        .select_related("firm")
        .order_by("firm__name", "id")
    )


def reference_get(*, tenant, firm, pk):
    """One reference recommending ``firm`` (404 for any other)."""
    return get_object_or_404(
        Reference.objects.filter(tenant=tenant, firm=firm).select_related("referrer_firm"), pk=pk
    )


def referrer_candidates(*, tenant, member, firm, q=""):
    """Firms that may be named as having recommended ``firm``: those the member sees."""
    firms = visible_firms(tenant=tenant, member=member).exclude(pk=firm.pk)
    if q:
        firms = firms.filter(Q(name__icontains=q) | Q(code__icontains=q))
    return firms.order_by("name", "id")


def firm_samples(*, tenant, firm):
    """The samples sent to ``firm``, newest first, with who sent them."""
    return (
        Sample.objects.filter(tenant=tenant, firm=firm)
        .select_related("sent_by")
        .order_by("-sent_on", "-id")
    )


def sample_get(*, tenant, firm, pk):
    """One sample of ``firm`` (404 for any other)."""
    return get_object_or_404(firm_samples(tenant=tenant, firm=firm), pk=pk)


def firm_comments(*, tenant, firm):
    """The firm's comments, newest first, with their authors and mentioned colleagues."""
    return (
        Comment.objects.filter(tenant=tenant, firm=firm)
        .select_related("author")
        .prefetch_related("mentions")
        .order_by("-created_at", "-id")
    )
