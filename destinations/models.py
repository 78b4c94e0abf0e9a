"""Where, and what status: destinations, their aliases and their append-only status history."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pycountry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from destinations.normalise import normalise_name


class DestinationKind(models.TextChoices):
    COUNTRY = "country", "Country"
    REGION = "region", "Region"
    CITY = "city", "City"
    ZONE = "zone", "Special zone"
    RESORT = "resort", "Resort"
    SITE = "site", "Site"


class Status(models.TextChoices):
    """Foreign-access status levels, from most to least welcoming."""

    OPEN = "open", "Open"
    RESTRICTED = "restricted", "Restricted"  # open with conditions: groups, some nationalities
    SUSPENDED = "suspended", "Suspended"  # temporarily not receiving foreign visitors
    CLOSED = "closed", "Closed"  # closed until further notice
    UNKNOWN = "unknown", "Unknown"


class Audience:
    """Who a status applies to: all foreign visitors, domestic visitors, or one nationality.

    Stored as a short string: "foreign", "domestic" or an ISO 3166-1 alpha-2 code ("RU").
    A plain string keeps the board query a single indexed scan and lets nationalities grow
    without a migration.
    """

    FOREIGN = "foreign"
    DOMESTIC = "domestic"
    PATTERN = r"^(foreign|domestic|[A-Z]{2})$"

    @classmethod
    def validate(cls, value: str) -> str:
        if not re.match(cls.PATTERN, value or ""):
            raise ValidationError(
                f"Audience {value!r} is not 'foreign', 'domestic' or an ISO 3166-1 alpha-2 code."
            )
        return value

    @classmethod
    def sort_key(cls, value: str) -> tuple[int, str]:
        """The one order of audiences everywhere (pages, API, emails): all foreign visitors,
        then domestic visitors, then nationalities by code."""
        return ({cls.FOREIGN: 0, cls.DOMESTIC: 1}.get(value, 2), value)

    @classmethod
    def label(cls, value: str) -> str:
        if value == cls.FOREIGN:
            return "all foreign visitors"
        if value == cls.DOMESTIC:
            return "domestic visitors"

        country = pycountry.countries.get(alpha_2=value)
        return f"visitors from {country.name if country else value}"


AUDIENCE_CHECK = Q(audience__regex=Audience.PATTERN)

# The board lists places by country (places with no country last), each country first, then by
# name. Kept here beside the index that serves it; the board's query orders by the same terms.
BOARD_ORDER = (
    models.Case(models.When(country_code="", then=1), default=0),
    models.F("country_code"),
    models.Case(models.When(kind=DestinationKind.COUNTRY, then=0), default=1),
    models.F("name"),
    models.F("id"),
)


class DestinationQuerySet(models.QuerySet):
    def update(self, **kwargs) -> int:
        """Any field but the country: moving a place goes through Destination.save(), which
        moves its history's copy of the country too."""
        if "country_code" in kwargs:
            raise ValueError("Change a destination's country with save(): its history follows.")
        return super().update(**kwargs)


class Destination(models.Model):
    """A place with a status: a country, or a region, city, zone, resort or site in one."""

    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=DestinationKind.choices, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    country_code = models.CharField(
        max_length=2, blank=True, db_index=True, help_text="ISO 3166-1 alpha-2, upper case."
    )
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Reconciliation bookkeeping: a destination is due when claims changed since the last run
    # (claims_version > reconciled_version) or when a scheduled moment (a future-dated claim, an
    # override's end) has come (reconcile_after <= now). Counters, not timestamps, so a claim
    # written during a run is never missed.
    claims_version = models.PositiveBigIntegerField(default=0)
    reconciled_version = models.PositiveBigIntegerField(default=0)
    reconcile_after = models.DateTimeField(null=True, blank=True, db_index=True)
    reconciled_at = models.DateTimeField(null=True, blank=True)

    objects = DestinationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(country_code="") | Q(country_code__regex=r"^[A-Z]{2}$"),
                name="destination_country_code_iso",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="destination_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="destination_longitude_range",
            ),
            models.UniqueConstraint(
                fields=["country_code"],
                condition=Q(kind="country"),
                name="one_country_destination_per_code",
            ),
        ]
        indexes = [
            models.Index(
                fields=["claims_version", "reconciled_version"], name="destination_dirty_idx"
            ),
            # The board's order (see publishing.selectors.board.BOARD_ORDER): its pages are read
            # from this index, a page at a time, instead of sorting every destination.
            models.Index(*BOARD_ORDER, name="destination_board_order_idx"),
            # The API's destination list, in its default order, a cursor page at a time.
            models.Index(fields=["name", "id"], name="destination_name_idx"),
            # The API's list filtered by country, in its default order: a page from the index.
            models.Index(
                fields=["country_code", "name", "id"], name="destination_country_name_idx"
            ),
            # The board's "last updated": MAX() read from the end of this index.
            models.Index(fields=["reconciled_at"], name="destination_reconciled_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        """Save; when the country changed, the history's copy of it (StatusChange.country_code)
        follows in the same transaction. Every write of a destination's country comes here: the
        admin, destination_upsert (imports, gazetteer loads); QuerySet.update refuses it."""
        stored = getattr(self, "_stored_country_code", None)
        fields = kwargs.get("update_fields")
        moved = (
            self.pk is not None
            and stored != self.country_code
            and (fields is None or "country_code" in fields)
        )
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            if moved:
                history = StatusChange.objects.using(self._state.db).filter(destination=self)
                history.move_to_country(self.country_code)
        self._stored_country_code = self.country_code

    @classmethod
    def from_db(cls, db, field_names, values) -> Destination:
        """Remember the stored country, so save() knows when the place has moved."""
        instance = super().from_db(db, field_names, values)
        instance._stored_country_code = instance.__dict__.get("country_code")
        return instance

    def clean(self) -> None:
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": "A destination cannot be its own parent."})


class DestinationAlias(models.Model):
    """Another spelling or language of a destination's name, matched on its normalised form."""

    destination = models.ForeignKey(Destination, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    normalised = models.CharField(max_length=200, editable=False, db_index=True)
    language = models.CharField(max_length=8, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "destination aliases"
        constraints = [
            models.UniqueConstraint(
                fields=["destination", "normalised"], name="alias_unique_per_destination"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.normalised = normalise_name(self.name)
        super().save(*args, **kwargs)


class AppendOnlyError(Exception):
    """Raised on any attempt to rewrite or erase recorded status history."""


class StatusChangeQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Status history is append-only: record a superseding change.")

    def delete(self):
        raise AppendOnlyError("Status history is append-only: record a superseding change.")

    def bulk_create(self, objs: Iterable[StatusChange], *args, **kwargs) -> list[StatusChange]:
        """Insert, each entry carrying its destination's country (see StatusChange.country_code)."""
        objs = list(objs)
        _with_countries(objs, using=self.db)
        return super().bulk_create(objs, *args, **kwargs)

    def move_to_country(self, country_code: str) -> int:
        """Set these entries' copy of their place's country: only Destination.save() calls it,
        when a place moves. The one update history allows; no event is rewritten."""
        elsewhere = self.exclude(country_code=country_code)
        return models.QuerySet.update(elsewhere, country_code=country_code)

    def not_superseded(self) -> StatusChangeQuerySet:
        """The corrected timeline: entries no later entry supersedes.

        Withdrawal markers (rule "retraction") are left out too: reconciliation writes one only
        to supersede an entry the evidence no longer supports; it states no event of its own.
        """
        # NOT EXISTS, not a join on `superseded_by`: the planner runs it as an anti-join probed
        # through the unique index on `supersedes`, row by row, so a list read in an indexed
        # order stops after its page instead of joining and sorting the whole history.
        superseding = self.model.objects.filter(supersedes=models.OuterRef("pk"))
        return self.filter(~models.Exists(superseding)).exclude(rule="retraction")


class DecidedBy(models.TextChoices):
    RECONCILIATION = "reconciliation", "Reconciliation"
    CURATOR = "curator", "Curator"


class StatusChange(models.Model):
    """One entry of a destination's status history for one audience. Never updated or deleted."""

    destination = models.ForeignKey(
        Destination, on_delete=models.PROTECT, related_name="status_changes"
    )
    audience = models.CharField(max_length=16, default=Audience.FOREIGN)
    status = models.CharField(max_length=16, choices=Status.choices)
    previous_status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.UNKNOWN
    )
    effective_at = models.DateTimeField(help_text="When the status took effect.")
    recorded_at = models.DateTimeField(default=timezone.now, help_text="When we learnt it.")
    summary = models.CharField(max_length=300)
    confidence = models.FloatField(default=1.0)
    decided_by = models.CharField(
        max_length=16, choices=DecidedBy.choices, default=DecidedBy.RECONCILIATION
    )
    curator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    reason = models.TextField(blank=True, help_text="Why a curator decided, or the rule applied.")
    rule = models.CharField(max_length=64, blank=True, help_text="Policy rule that decided.")
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    # True when, at the moment it was recorded, this entry became the current status (as opposed
    # to back-filled history). Only such changes alert subscribers.
    alters_current = models.BooleanField(default=False)
    # Position in this (destination, audience) history as reconciliation appends it. Unique, so
    # two writers racing from the same state can never both append: the loser's insert fails.
    sequence = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # It rests on one low-authority report: published as "reported, unconfirmed".
    unconfirmed = models.BooleanField(default=False)
    # A copy of destination.country_code, so one country's changes are read a page at a time
    # from change_country_recorded_idx instead of place by place. Not part of the event: it says
    # where the place is now, so when a destination's country changes its history's copy
    # follows (Destination.save). Set on every insert, from the destination, by save() and
    # bulk_create(); whatever a writer passes is replaced.
    country_code = models.CharField(max_length=2, blank=True, editable=False)

    objects = StatusChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_at", "-id"]
        get_latest_by = "effective_at"
        constraints = [
            models.CheckConstraint(condition=AUDIENCE_CHECK, name="status_change_audience_valid"),
            models.CheckConstraint(
                condition=Q(confidence__gte=0, confidence__lte=1),
                name="status_change_confidence_range",
            ),
            models.CheckConstraint(
                condition=~Q(decided_by="curator") | Q(curator__isnull=False),
                name="curator_change_names_curator",
            ),
            models.UniqueConstraint(
                fields=["destination", "audience", "sequence"], name="one_change_per_sequence"
            ),
        ]
        indexes = [
            models.Index(
                fields=["destination", "audience", "-effective_at"], name="change_timeline_idx"
            ),
            models.Index(fields=["-recorded_at", "-id"], name="change_recorded_idx"),
            # The changes page's default order (when it happened), read a page at a time.
            models.Index(
                fields=["-effective_at", "-recorded_at", "-id"], name="change_effective_idx"
            ),
            # The changes API filtered by status, newest recorded first, a page at a time.
            models.Index(
                fields=["status", "-recorded_at", "-id"], name="change_status_recorded_idx"
            ),
            # One destination's newest recorded changes: its feed and its API list.
            models.Index(
                fields=["destination", "-recorded_at", "-id"], name="change_place_recorded_idx"
            ),
            # One country's newest recorded changes (the country feed, the changes API's
            # ?country=), a page at a time: see country_code.
            models.Index(
                fields=["country_code", "-recorded_at", "-id"], name="change_country_recorded_idx"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.destination} ({self.audience}): {self.status} from {self.effective_at:%Y-%m-%d}"
        )

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("Status history is append-only: record a superseding change.")
        Audience.validate(self.audience)
        _with_countries([self], using=kwargs.get("using") or self._state.db)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Status history is append-only: record a superseding change.")


def _with_countries(changes: list[StatusChange], *, using: str | None) -> None:
    """Copy each new entry's destination's country onto it, read in one query. The writer rule
    of StatusChange.country_code: every insert passes here (save() and bulk_create())."""
    ids = {change.destination_id for change in changes}
    codes = dict(
        Destination.objects.using(using or "default")
        .filter(pk__in=ids)
        .values_list("pk", "country_code")
    )
    for change in changes:
        change.country_code = codes.get(change.destination_id, "")


class CurrentStatus(models.Model):
    """The current status per (destination, audience): the board reads this in one indexed query.

    A projection of StatusChange maintained by reconciliation in the same transaction, so it is
    never ahead of or behind the history it summarises.
    """

    destination = models.ForeignKey(
        Destination, on_delete=models.CASCADE, related_name="current_statuses"
    )
    audience = models.CharField(max_length=16, default=Audience.FOREIGN)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UNKNOWN)
    since = models.DateTimeField(null=True, blank=True)
    change = models.ForeignKey(
        StatusChange, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.CharField(max_length=300, blank=True)
    last_confirmed_at = models.DateTimeField(null=True, blank=True)
    in_review = models.BooleanField(default=False)
    # The status rests on one low-authority report ("reported, unconfirmed").
    unconfirmed = models.BooleanField(default=False)
    # Claims that speak against this status (held for review, unconfirmed reports, or the
    # evidence of the status an unconfirmed one replaced): pages show them beside it.
    conflicting_claim_ids = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "current statuses"
        constraints = [
            models.UniqueConstraint(
                fields=["destination", "audience"], name="one_current_status_per_audience"
            ),
            models.CheckConstraint(condition=AUDIENCE_CHECK, name="current_status_audience_valid"),
        ]
        indexes = [
            models.Index(fields=["status", "audience"], name="current_status_board_idx"),
            # Destinations with a known status: the board's count and its per-place test.
            models.Index(
                fields=["destination"],
                condition=~Q(status=Status.UNKNOWN),
                name="current_status_known_idx",
            ),
            # The audiences with a known status, read by skipping from one to the next.
            models.Index(
                fields=["audience"],
                condition=~Q(status=Status.UNKNOWN),
                name="current_status_known_aud_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.destination} ({self.audience}): {self.status}"
