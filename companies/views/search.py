"""The quick search in the top bar and the phone book."""

from django.shortcuts import render

from companies.selectors import picker, search
from core import choices
from core.views import TenantView

PAGE_SIZE = 25


class SearchView(TenantView):
    """``?q=``: a dropdown fragment for the navbar box (htmx), or the full results page."""

    permissions = {"GET": "firms.view"}

    def get(self, request, tenant_slug):
        limit = search.QUICK_LIMIT if request.htmx else PAGE_SIZE
        results = search.quick_search(
            tenant=self.tenant, member=self.member, query=request.GET.get("q", ""), limit=limit
        )
        context = {"results": results}
        if results.firms and not request.htmx:
            context["type_labels"] = choices.labels(tenant=self.tenant, key="firm_type")
        template = "companies/search_dropdown.html" if request.htmx else "companies/search.html"
        return render(request, template, context)


class PhonebookView(TenantView):
    """Every visible contact with phones and e-mails: searchable, sortable by name, paged."""

    permissions = {"GET": "firms.view"}

    def get(self, request, tenant_slug):
        terms = search.parse_query(request.GET.get("q", ""))
        sort = request.GET.get("sort", "")
        sort = sort if sort in search.CONTACT_SORTS else ""
        page = search.phonebook(
            tenant=self.tenant,
            member=self.member,
            query=terms.text,
            sort=sort,
            page=request.GET.get("page"),
            per_page=PAGE_SIZE,
        )
        context = {
            "page": page,
            "q": terms.text,
            "sort": sort,
            "next_sort": "-name" if sort == "name" else "name",
        }
        template = "companies/phonebook_rows.html" if request.htmx else "companies/phonebook.html"
        return render(request, template, context)


class FirmPickerView(TenantView):
    """The firm picker's suggestions (htmx): ``?q=`` plus ``type``, ``child``, ``exclude``.

    An HTML fragment of at most 20 options among the member's visible firms; see
    ``companies.forms.widgets.FirmPicker``.
    """

    permissions = {"GET": "firms.view"}

    def get(self, request, tenant_slug):
        params = request.GET
        firms = picker.picker_firms(
            tenant=self.tenant,
            member=self.member,
            query=params.get("q", ""),
            types=params.getlist("type")[:10],
            child=params.get("child", ""),
            exclude=params.get("exclude", ""),
        )
        context = {"firms": firms, "query": search.parse_query(params.get("q", "")).text}
        return render(request, "companies/widgets/firm_picker_options.html", context)
