"""Admin pieces for curators: the review queue's accept/reject actions and overrides.

Kept apart from ``admin.py`` so the ModelAdmins stay declarations; every write goes through
``reconciliation_service`` so the audit trail (who and why) and the re-run cannot be skipped.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from advisories.models import Claim
from advisories.reconciliation.curation import claims_review, override_create
from advisories.reconciliation.service import destination_reconcile
from destinations.models import CurrentStatus
from destinations.services import claims_changed


class ReviewDecisionForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="Why: kept with each claim in the audit trail.",
    )


@admin.display(description="Current status and its evidence")
def other_side(claim: Claim) -> str:
    """What the claim contradicts: the status in force for its audience and the claims behind it."""
    current = (
        CurrentStatus.objects.filter(destination_id=claim.destination_id, audience=claim.audience)
        .select_related("change")
        .first()
    )
    if current is None or current.change is None:
        return "No status yet."
    evidence = current.change.claims.select_related("notice__source").order_by("-effective_at")[:5]
    return format_html(
        "<strong>{}</strong> since {}{}<ul>{}</ul>",
        current.status,
        f"{current.since:%Y-%m-%d}" if current.since else "?",
        " (in review)" if current.in_review else "",
        format_html_join(
            "",
            "<li>{} ({}, authority {}): {}</li>",
            (
                (c.status, c.notice.source.name, c.notice.source.authority, c.sentence)
                for c in evidence
            ),
        ),
    )


def _decide(modeladmin, request, queryset, *, accept: bool, action: str):
    form = ReviewDecisionForm(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        try:
            count = claims_review(
                claim_ids=list(queryset.values_list("pk", flat=True)),
                accept=accept,
                curator=request.user,
                note=form.cleaned_data["note"],
                now=timezone.now(),
            )
        except ValidationError as exc:
            modeladmin.message_user(request, "; ".join(exc.messages), messages.ERROR)
            return None
        verb = "accepted" if accept else "rejected"
        modeladmin.message_user(request, f"{count} claim(s) {verb}; statuses reconciled.")
        return None
    rows = [
        {"claim": claim, "other_side": other_side(claim)}
        for claim in queryset.select_related("destination", "notice__source")
    ]
    return TemplateResponse(
        request,
        "admin/advisories/claim/review_decision.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": "Review decision",
            "claims": rows,
            "queryset": queryset,
            "form": form,
            "accept": accept,
            "action": action,
            "opts": modeladmin.model._meta,
        },
    )


@admin.action(description="Accept selected claims (asks why)", permissions=["change"])
def accept_claims(modeladmin, request, queryset):
    return _decide(modeladmin, request, queryset, accept=True, action="accept_claims")


@admin.action(description="Reject selected claims (asks why)", permissions=["change"])
def reject_claims(modeladmin, request, queryset):
    return _decide(modeladmin, request, queryset, accept=False, action="reject_claims")


class OverrideAdminMixin:
    """New overrides go through the service (recorded and applied at once); edits re-reconcile."""

    readonly_fields = ["curator", "created_at"]

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = OverrideForm
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change):
        now = timezone.now()
        if change:
            super().save_model(request, obj, form, change)
            claims_changed(destination_ids=[obj.destination_id])
            destination_reconcile(destination_id=obj.destination_id, now=now)
            return
        created = override_create(
            destination=obj.destination,
            audience=obj.audience,
            status=obj.status,
            summary=obj.summary,
            reason=obj.reason,
            curator=request.user,
            now=now,
            starts_at=obj.starts_at,
            ends_at=obj.ends_at,
        )
        obj.pk = created.pk
        obj.curator = created.curator


class OverrideForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The end must come after the start.")
        return cleaned
