"""The firm's comments tab: comments with mentions of colleagues.

Mentions are colleagues chosen in an employee picker next to the text rather than ``@name``
tokens parsed from it: a name that looks like markup cannot break them, and the server sees
exactly whom the author meant.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.views.employees import form_error
from companies.selectors import references as selectors
from companies.selectors.lists import colleagues
from companies.services import comments as services
from companies.views.references import ExtraTabMixin
from core.forms import EmployeeMultipleChoiceField
from core.views import TenantView, paginate

TEXT_LIMIT = 5000
MENTION_LIMIT = 20


class CommentForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Comment"), max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    mentions = EmployeeMultipleChoiceField(
        label=gettext_lazy("Mention colleagues"), queryset=None, required=False,
        help_text=gettext_lazy("They get an e-mail and a notification with the comment."),
    )  # fmt: skip

    def __init__(self, *args, tenant, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentions"].queryset = colleagues(tenant=tenant).exclude(pk=member.pk)
        self.fields["mentions"].widget.configure(tenant=tenant)

    def clean_mentions(self):
        mentions = self.cleaned_data["mentions"]
        if len(mentions) > MENTION_LIMIT:
            raise ValidationError(
                _("Mention at most %(limit)d colleagues.") % {"limit": MENTION_LIMIT}
            )
        return mentions


class FirmCommentsView(ExtraTabMixin, TenantView):
    tab = "comments"
    permissions = {"GET": "firms.view"}

    def get(self, request, tenant_slug, pk):
        self.load_firm(pk)
        form = CommentForm(tenant=self.tenant, member=self.member)
        return self.render_tab(request, "companies/tabs/_comments.html", self.context(form))

    def context(self, form):
        comments = selectors.firm_comments(tenant=self.tenant, firm=self.firm)
        return {"page": paginate(self.request, comments, per_page=20), "form": form}


class CommentCreateView(FirmCommentsView):
    """Anyone who may read the firm may comment on it (and so answer a mention)."""

    permissions = {"POST": "firms.view"}

    def post(self, request, tenant_slug, pk):
        self.load_firm(pk)
        form = CommentForm(request.POST, tenant=self.tenant, member=self.member)
        if form.is_valid():
            try:
                services.comment_create(
                    tenant=self.tenant, actor=request.user, author=self.member, firm=self.firm,
                    text=form.cleaned_data["text"], mentions=form.cleaned_data["mentions"],
                )  # fmt: skip
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(request, _("The comment is saved."))
                return redirect("companies:firm-comments", self.tenant.slug, self.firm.pk)
        return self.render_tab(
            request, "companies/tabs/_comments.html", self.context(form), status=400
        )
