"""The subscribe and manage forms: what a reader may ask for, and the errors they are shown."""

from __future__ import annotations

from dataclasses import dataclass

import pycountry
from django import forms

from advisories.models import Frequency, SubscriptionScope
from destinations.models import Destination

COUNTRY_CHOICES = [
    ("", "Choose a country"),
    *sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda pair: pair[1]),
]

# The field that only matters for each scope; the page shows it under that scope's radio.
SCOPE_FIELDS = {
    SubscriptionScope.DESTINATION: ("destination", "include_children"),
    SubscriptionScope.COUNTRY: ("country",),
}


@dataclass(frozen=True)
class ErrorLink:
    """One line of the error summary: the message and the id of the control it is about."""

    target: str
    message: str


class ScopeForm(forms.Form):
    scope = forms.ChoiceField(
        choices=SubscriptionScope.choices,
        initial=SubscriptionScope.ALL,
        widget=forms.RadioSelect,
        label="Tell me about",
    )
    destination = forms.ModelChoiceField(
        queryset=Destination.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        label="Destination",
        empty_label="Choose a destination",
    )
    include_children = forms.BooleanField(
        required=False, initial=True, label="Include places inside it (resorts, zones, cities)"
    )
    country = forms.ChoiceField(choices=COUNTRY_CHOICES, required=False, label="Country")
    frequency = forms.ChoiceField(
        choices=Frequency.choices,
        initial=Frequency.IMMEDIATE,
        widget=forms.RadioSelect,
        label="How often",
    )

    def clean(self) -> dict:
        data = super().clean()
        scope = data.get("scope")
        # A field under a scope not chosen is hidden, so nothing in it may count against the
        # reader (a stale value the browser kept, say).
        for other, names in SCOPE_FIELDS.items():
            if scope != other:
                for name in names:
                    self._errors.pop(name, None)
        if scope == SubscriptionScope.DESTINATION and not data.get("destination"):
            self.add_error("destination", "Choose the destination to be told about.")
        if scope == SubscriptionScope.COUNTRY and not data.get("country"):
            self.add_error("country", "Choose the country to be told about.")
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "scope": data["scope"],
            "frequency": data["frequency"],
            "destination": data.get("destination"),
            "include_children": bool(data.get("include_children")),
            "country_code": data.get("country") or "",
        }

    def error_links(self) -> list[ErrorLink]:
        """The error summary, in the order the fields appear; each links to its control (the
        first radio of a group, which is where a click on the link should land)."""
        links = [ErrorLink(target="", message=str(error)) for error in self.non_field_errors()]
        for field in self.visible_fields():
            radios = isinstance(field.field.widget, forms.RadioSelect)
            target = f"{field.auto_id}_0" if radios else field.id_for_label
            links.extend(ErrorLink(target=target, message=str(error)) for error in field.errors)
        return links


class SubscribeForm(ScopeForm):
    email = forms.EmailField(max_length=254, label="Email address")

    field_order = ["email", "scope", "destination", "include_children", "country", "frequency"]
