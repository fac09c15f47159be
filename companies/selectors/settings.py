"""Reads of the firm settings: custom fields, tags and the group tree."""

from django.db.models import Count

from companies.models import CustomField, FirmGroup, Tag


def custom_field_list(*, tenant):
    return CustomField.objects.filter(tenant=tenant).order_by("entity", "order", "label")


def tag_list(*, tenant, with_counts=False):
    tags = Tag.objects.filter(tenant=tenant).order_by("name")
    return tags.annotate(firm_count=Count("firm")) if with_counts else tags


def group_list(*, tenant):
    return FirmGroup.objects.filter(tenant=tenant).select_related("parent").order_by("name")


def group_tree(*, tenant):
    """``[(depth, group)]`` in tree order, each group with its ``firm_count``."""
    rows = list(group_list(tenant=tenant).annotate(firm_count=Count("firm")))
    children = {}
    for group in rows:
        children.setdefault(group.parent_id, []).append(group)
    ordered, stack = [], [(0, g) for g in reversed(children.get(None, []))]
    while stack:
        depth, group = stack.pop()
        ordered.append((depth, group))
        stack.extend((depth + 1, child) for child in reversed(children.get(group.pk, [])))
    return ordered
