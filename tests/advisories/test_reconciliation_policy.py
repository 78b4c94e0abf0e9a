"""Table-driven tests of the pure reconciliation policy (no database)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisories.reconciliation.policy import apply_decision, decide
from advisories.reconciliation.types import (
    BY_CURATOR,
    ClaimInput,
    OverrideInput,
    Policy,
    RecordedEntry,
    Review,
    Rule,
)

OFFICIAL, OPERATOR, NEWS = 100, 60, 40
T0 = datetime(2025, 7, 1, 9, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def claim(
    id: int,
    status: str,
    on: float,
    *,
    authority: int = NEWS,
    review: str = Review.AUTO,
    reported: float | None = None,
    inherited: bool = False,
    confidence: float = 0.8,
    source: str | None = None,
) -> ClaimInput:
    return ClaimInput(
        id=id,
        status=status,
        effective_at=day(on),
        recorded_at=day(on if reported is None else reported),
        authority=authority,
        confidence=confidence,
        review_state=review,
        inherited=inherited,
        source=source or f"source-{authority}",
        evidence=f"claim {id} says {status}",
    )


def override(
    id: int, status: str, start: float, end: float | None = None, who: str = "ana"
) -> OverrideInput:
    return OverrideInput(
        id=id,
        status=status,
        starts_at=day(start),
        ends_at=None if end is None else day(end),
        curator=who,
        reason=f"{who} checked with the ministry",
    )


@dataclass
class World:
    """Inputs plus the timeline as the service would have written it, run by run."""

    claims: list[ClaimInput] = field(default_factory=list)
    overrides: list[OverrideInput] = field(default_factory=list)
    timeline: list[RecordedEntry] = field(default_factory=list)
    policy: Policy = field(default_factory=Policy)

    def run(self, now: float):
        decision = decide(
            claims=self.claims,
            overrides=self.overrides,
            timeline=self.timeline,
            now=day(now),
            policy=self.policy,
        )
        self.timeline = apply_decision(
            timeline=self.timeline, decision=decision, first_id=len(self.timeline) + 1
        )
        # As the service does: claims the policy held wait in the review queue.
        self.claims = [
            replace(c, review_state=Review.NEEDS_REVIEW) if c.id in decision.queued_claim_ids else c
            for c in self.claims
        ]
        return decision

    def public(self) -> list[tuple[str, datetime]]:
        superseded = {r.supersedes_id for r in self.timeline}
        return [
            (r.status, r.effective_at)
            for r in sorted(self.timeline, key=lambda r: (r.effective_at, r.id))
            if r.id not in superseded and r.rule != Rule.RETRACTION
        ]


def statuses(world: World) -> list[str]:
    return [status for status, _ in world.public()]


# --- which claims count ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("review", "expected_public", "in_review"),
    [
        pytest.param(Review.AUTO, ["suspended"], False, id="automatic claim counts"),
        pytest.param(Review.NEEDS_REVIEW, [], True, id="claim needing review waits"),
        pytest.param(Review.ACCEPTED, ["suspended"], False, id="accepted claim counts"),
        pytest.param(Review.REJECTED, [], False, id="rejected claim never counts"),
    ],
)
def test_claims_count_according_to_their_review_state(review, expected_public, in_review):
    world = World(claims=[claim(1, "suspended", 0, review=review)])
    decision = world.run(now=1)
    assert statuses(world) == expected_public
    assert decision.in_review is in_review


def test_claim_needing_review_that_agrees_with_the_status_does_not_put_the_pair_in_review():
    world = World(claims=[claim(1, "open", 0), claim(2, "open", 5, review=Review.NEEDS_REVIEW)])
    decision = world.run(now=6)
    assert decision.in_review is False


# --- one event, many reports -------------------------------------------------------------------


def test_five_reports_of_one_closure_make_one_change_linked_to_all_of_them():
    world = World(claims=[claim(i, "suspended", i * 0.5) for i in range(1, 6)])
    decision = world.run(now=10)
    assert len(decision.entries) == 1
    assert decision.entries[0].claim_ids == (1, 2, 3, 4, 5)


@pytest.mark.parametrize(
    ("merge_days", "expected_date"),
    [
        pytest.param(3, day(2), id="within the window the official date wins"),
        pytest.param(1, day(0), id="outside the window the first report stands"),
    ],
)
def test_merge_window_is_a_policy_value(merge_days, expected_date):
    world = World(
        claims=[claim(1, "open", 0), claim(2, "open", 2, authority=OFFICIAL)],
        policy=Policy(merge_window=timedelta(days=merge_days)),
    )
    world.run(now=5)
    assert world.public() == [("open", expected_date)]


def test_later_report_of_same_event_adds_evidence_without_a_new_change():
    world = World(claims=[claim(1, "suspended", 0)])
    world.run(now=1)
    world.claims.append(claim(2, "suspended", 1))
    decision = world.run(now=2)
    assert decision.entries == ()
    assert decision.links == ((1, (2,)),)


# --- which event sets the current status -------------------------------------------------------


@pytest.mark.parametrize(
    ("claims", "now", "current", "public"),
    [
        pytest.param(
            [claim(1, "open", 0), claim(2, "suspended", 20)],
            25,
            "suspended",
            ["open", "suspended"],
            id="latest event in effect sets the current status",
        ),
        pytest.param(
            [claim(1, "suspended", 0), claim(2, "open", 30, reported=5)],
            10,
            "suspended",
            ["suspended"],
            id="future-dated reopening waits for its date",
        ),
        pytest.param(
            [claim(1, "suspended", 0), claim(2, "open", 30, reported=5)],
            31,
            "open",
            ["suspended", "open"],
            id="future-dated reopening applies once its date has passed",
        ),
    ],
)
def test_latest_event_that_has_taken_effect_sets_current_status(claims, now, current, public):
    world = World(claims=claims)
    decision = world.run(now=now)
    assert decision.current.status == current
    assert statuses(world) == public


def test_future_dated_claim_asks_to_be_checked_again_on_its_date():
    world = World(claims=[claim(1, "suspended", 0), claim(2, "open", 30, reported=5)])
    decision = world.run(now=10)
    assert decision.next_check_at == day(30)
    assert decision.claim_fates[2][0] == Rule.FUTURE


def test_late_claim_about_older_event_fills_history_without_changing_current_status():
    world = World(claims=[claim(1, "open", 0), claim(2, "suspended", 40)])
    world.run(now=41)
    world.claims.append(claim(3, "restricted", 20, reported=45))
    decision = world.run(now=46)
    assert statuses(world) == ["open", "restricted", "suspended"]
    assert decision.current.status == "suspended"
    [entry] = decision.entries
    assert (entry.rule, entry.alters_current) == (Rule.BACKFILL, False)


# --- authority ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claims", "public", "in_review"),
    [
        pytest.param(
            [claim(1, "suspended", 0, authority=OFFICIAL), claim(2, "open", 2)],
            ["suspended"],
            True,
            id="news contradicting an official event of the same days goes to review",
        ),
        pytest.param(
            [claim(1, "suspended", 0, authority=OFFICIAL), claim(2, "open", 10)],
            ["suspended", "open"],
            False,
            id="news of a later event is new information, not a contradiction",
        ),
        pytest.param(
            [claim(1, "open", 0), claim(2, "suspended", 10, authority=OFFICIAL)],
            ["open", "suspended"],
            False,
            id="official contradicting news changes the status",
        ),
        pytest.param(
            [
                claim(1, "restricted", -60, authority=OFFICIAL),
                claim(2, "open", 0),
                claim(3, "suspended", 2, authority=OFFICIAL),
            ],
            ["restricted", "suspended"],
            True,
            id="news shortly before a contradicting official event goes to review",
        ),
        pytest.param(
            [claim(1, "suspended", 0, authority=OFFICIAL), claim(2, "open", 10, authority=90)],
            ["suspended", "open"],
            False,
            id="authority within the margin is not outranked",
        ),
    ],
)
def test_authority_decides_between_contradicting_sources(claims, public, in_review):
    world = World(claims=claims)
    decision = world.run(now=60)
    assert statuses(world) == public
    assert decision.in_review is in_review


def test_outranked_claim_is_listed_for_review_with_the_rule_that_held_it():
    world = World(claims=[claim(1, "suspended", 0, authority=OFFICIAL), claim(2, "open", 2)])
    decision = world.run(now=11)
    assert decision.review_claim_ids == (2,)
    assert decision.claim_fates[2][0] == Rule.OUTRANKED


def test_official_report_arriving_later_withdraws_a_contradicting_news_entry():
    world = World(claims=[claim(1, "restricted", -60, authority=OFFICIAL), claim(2, "open", 0)])
    world.run(now=61)
    world.timeline = world.timeline  # the news-based "open" is published by now
    world.claims.append(claim(3, "suspended", 2, authority=OFFICIAL, reported=62))
    decision = world.run(now=62)
    assert statuses(world) == ["restricted", "suspended"]
    assert {e.rule for e in decision.entries} == {Rule.STATUS_CHANGE, Rule.RETRACTION}


@pytest.mark.parametrize(
    ("confidences", "public", "in_review"),
    [
        pytest.param([0.42], [], True, id="one hedged report waits for a curator"),
        pytest.param([0.42, 0.3], ["suspended"], False, id="independent reports add up"),
        pytest.param([0.9], ["suspended"], False, id="a confident report suffices"),
    ],
)
def test_weak_evidence_does_not_change_a_status_on_its_own(confidences, public, in_review):
    world = World(
        claims=[claim(i, "suspended", i * 0.5, confidence=c) for i, c in enumerate(confidences)]
    )
    decision = world.run(now=5)
    assert statuses(world) == public
    assert decision.in_review is in_review


def test_weak_report_confirming_the_status_still_counts_as_confirmation():
    world = World(claims=[claim(1, "open", 0), claim(2, "open", 20, confidence=0.2)])
    decision = world.run(now=21)
    assert decision.current.last_confirmed_at == day(20)
    assert decision.in_review is False


# --- agreement, disagreement and unconfirmed reports ------------------------------------------

LOW = 20  # an unknown or implicitly created source


def suspended_then_confirmed_by_the_news() -> list[ClaimInput]:
    """An official suspension, then three outlets on later dates saying it still holds."""
    return [
        claim(1, "suspended", 0, authority=OFFICIAL, source="ministry"),
        claim(2, "suspended", 10, source="wire"),
        claim(3, "suspended", 25, source="daily"),
        claim(4, "suspended", 40, source="gazette"),
    ]


def test_a_lone_later_report_cannot_overturn_a_status_several_sources_agree_on():
    world = World(claims=[*suspended_then_confirmed_by_the_news(), claim(5, "open", 60)])
    decision = world.run(now=61)
    assert statuses(world) == ["suspended"]
    assert decision.current.status == "suspended"
    assert decision.claim_fates[5][0] == Rule.UNCONFIRMED
    assert decision.unconfirmed_claim_ids == (5,)
    assert decision.current.conflicting_claim_ids == (5,)
    # The agreeing claims are not stuck in review, and neither is the lone report.
    assert decision.in_review is False
    assert decision.queued_claim_ids == ()


def test_a_second_independent_report_of_the_same_change_makes_it_stand():
    world = World(
        claims=[
            *suspended_then_confirmed_by_the_news(),
            claim(5, "open", 60, source="travel-mag"),
            claim(6, "open", 66, source="wire"),
        ]
    )
    decision = world.run(now=67)
    assert world.public() == [("suspended", day(0)), ("open", day(60))]
    assert decision.current.unconfirmed is False


def test_an_unconfirmed_report_is_no_longer_shown_once_later_reports_confirm_the_status():
    claims = [*suspended_then_confirmed_by_the_news(), claim(5, "open", 60)]
    claims.append(claim(6, "suspended", 70, source="daily"))
    decision = World(claims=claims).run(now=71)
    assert decision.current.conflicting_claim_ids == ()


@pytest.mark.parametrize(
    ("report", "unconfirmed"),
    [
        pytest.param(claim(2, "open", 10, source="wire"), True, id="news against official"),
        pytest.param(claim(2, "open", 10, authority=LOW, source="blog"), True, id="unknown source"),
        pytest.param(
            claim(2, "open", 10, authority=OPERATOR + 20, source="operator"),
            False,
            id="a source of similar authority",
        ),
    ],
)
def test_one_low_authority_report_changing_an_official_status_is_published_unconfirmed(
    report, unconfirmed
):
    world = World(claims=[claim(1, "suspended", 0, authority=OFFICIAL, source="ministry"), report])
    decision = world.run(now=11)
    assert statuses(world) == ["suspended", "open"]
    [entry] = [e for e in decision.entries if e.status == "open"]
    assert entry.unconfirmed is unconfirmed
    assert decision.current.unconfirmed is unconfirmed
    # Both sides: the official evidence the report contradicts is shown beside it.
    assert decision.current.conflicting_claim_ids == ((1,) if unconfirmed else ())
    assert decision.in_review is False


def test_a_report_from_an_unknown_source_is_unconfirmed_even_where_nothing_was_known():
    world = World(claims=[claim(1, "closed", 0, authority=LOW, source="blog")])
    decision = world.run(now=1)
    assert statuses(world) == ["closed"]
    assert decision.current.unconfirmed is True


def test_a_report_of_a_later_event_is_new_information_not_a_contradiction():
    # An official "closed" on day 0; a Russian group reported there from day 4 on.
    world = World(
        claims=[
            claim(1, "closed", 0, authority=OFFICIAL, source="ministry"),
            claim(2, "open", 4, reported=9, source="moscow-daily"),
            claim(3, "open", 9, source="moscow-daily"),
            claim(4, "suspended", 15, authority=OFFICIAL, source="ministry"),
        ]
    )
    decision = world.run(now=30)
    assert world.public() == [("closed", day(0)), ("open", day(4)), ("suspended", day(15))]
    assert decision.in_review is False


def test_a_status_published_unconfirmed_is_confirmed_once_a_second_source_reports_it():
    world = World(
        claims=[
            claim(1, "suspended", 0, authority=OFFICIAL, source="ministry"),
            claim(2, "open", 10, source="wire"),
        ]
    )
    assert world.run(now=11).current.unconfirmed is True
    world.claims.append(claim(3, "open", 14, source="daily"))
    decision = world.run(now=15)
    assert decision.current.unconfirmed is False
    assert decision.current.conflicting_claim_ids == ()
    # The entry keeps saying it was first published unconfirmed: no new one is written.
    assert decision.entries == ()


def test_the_same_outlet_repeating_its_report_does_not_confirm_it():
    world = World(
        claims=[
            claim(1, "suspended", 0, authority=OFFICIAL, source="ministry"),
            claim(2, "open", 10, source="wire"),
            claim(3, "open", 14, source="wire"),
        ]
    )
    assert world.run(now=15).current.unconfirmed is True


def test_a_curator_accepting_the_lone_report_confirms_it():
    world = World(
        claims=[
            claim(1, "suspended", 0, authority=OFFICIAL, source="ministry"),
            claim(2, "open", 10, source="wire", review=Review.ACCEPTED),
        ]
    )
    assert world.run(now=11).current.unconfirmed is False


def test_the_demo_story_publishes_the_russian_group_phase_unconfirmed_between_official_notices():
    world = World(
        claims=[
            claim(1, "closed", 0, authority=OFFICIAL, source="ministry"),
            claim(2, "restricted", 4, reported=9, source="moscow-daily"),
            claim(3, "restricted", 9, source="moscow-daily"),
            claim(4, "suspended", 15, authority=OFFICIAL, source="ministry"),
            claim(5, "suspended", 15, reported=17, source="wire"),
        ]
    )
    decision = world.run(now=150)
    assert world.public() == [("closed", day(0)), ("restricted", day(4)), ("suspended", day(15))]
    unconfirmed = {e.status: e.unconfirmed for e in decision.entries}
    assert unconfirmed == {"closed": False, "restricted": True, "suspended": False}
    assert decision.in_review is False and decision.current.unconfirmed is False


def test_sources_disagreeing_about_the_same_days_go_to_review_and_the_better_supported_stands():
    world = World(
        claims=[
            claim(1, "suspended", 0, source="wire"),
            claim(2, "suspended", 1, source="daily"),
            claim(3, "open", 1, source="travel-mag"),
        ]
    )
    decision = world.run(now=5)
    assert statuses(world) == ["suspended"]
    assert decision.review_claim_ids == (3,)
    assert decision.claim_fates[3][0] == Rule.OUTRANKED
    assert decision.current.conflicting_claim_ids == (3,)


# --- contradictions of similar authority -------------------------------------------------------


def test_contradicting_claims_of_similar_authority_make_no_public_change():
    world = World(claims=[claim(1, "open", 0), claim(2, "suspended", 2)])
    decision = world.run(now=3)
    assert statuses(world) == []
    assert decision.in_review is True
    assert decision.review_claim_ids == (1, 2)


def test_published_status_stands_when_a_similar_authority_claim_contradicts_it():
    world = World(claims=[claim(1, "open", 0)])
    world.run(now=1)
    world.claims.append(claim(2, "suspended", 2))
    decision = world.run(now=3)
    assert statuses(world) == ["open"]
    assert decision.review_claim_ids == (2,)
    assert decision.entries == ()


@pytest.mark.parametrize(
    ("states", "public", "in_review"),
    [
        pytest.param(
            (Review.ACCEPTED, Review.REJECTED), ["open"], False, id="curator keeps the first"
        ),
        pytest.param(
            (Review.REJECTED, Review.ACCEPTED), ["suspended"], False, id="curator keeps second"
        ),
        pytest.param((Review.ACCEPTED, Review.AUTO), ["open"], True, id="one side still open"),
    ],
)
def test_curator_resolves_a_contested_period(states, public, in_review):
    world = World(claims=[claim(1, "open", 0), claim(2, "suspended", 2)])
    world.run(now=3)
    world.claims = [
        claim(1, "open", 0, review=states[0]),
        claim(2, "suspended", 2, review=states[1]),
    ]
    decision = world.run(now=4)
    assert statuses(world) == public
    assert decision.in_review is in_review


def test_contradiction_outside_the_conflict_window_is_an_ordinary_change():
    world = World(claims=[claim(1, "open", 0), claim(2, "suspended", 20)])
    decision = world.run(now=21)
    assert statuses(world) == ["open", "suspended"]
    assert decision.in_review is False


# --- curator overrides -------------------------------------------------------------------------


def test_curator_override_wins_and_is_recorded_with_who_and_why():
    world = World(claims=[claim(1, "open", 0)], overrides=[override(1, "closed", 5)])
    decision = world.run(now=6)
    assert statuses(world) == ["open", "closed"]
    entry = decision.entries[-1]
    assert (entry.decided_by, entry.curator, entry.rule) == (BY_CURATOR, "ana", Rule.OVERRIDE)
    assert entry.reason == "ana checked with the ministry"
    assert decision.current.status == "closed"


@pytest.mark.parametrize(
    ("now", "public"),
    [
        pytest.param(8, ["open", "closed"], id="claims inside the window do not count"),
        pytest.param(11, ["open", "closed", "suspended"], id="claims resume after the end"),
    ],
)
def test_override_with_an_end_date_hands_back_to_automatic_decisions(now, public):
    world = World(
        claims=[claim(1, "open", 0), claim(2, "suspended", 8)],
        overrides=[override(1, "closed", 5, end=10)],
    )
    decision = world.run(now=now)
    assert statuses(world) == public
    assert decision.claim_fates[2][0] != Rule.STATUS_CHANGE


def test_override_end_date_asks_to_be_checked_again_then():
    world = World(claims=[claim(1, "open", 0)], overrides=[override(1, "closed", 5, end=10)])
    decision = world.run(now=6)
    assert decision.next_check_at == day(10)


# --- confirmations and last confirmed ----------------------------------------------------------


def test_claim_confirming_current_status_creates_no_change_but_moves_last_confirmed():
    world = World(claims=[claim(1, "suspended", 0)])
    first = world.run(now=1)
    world.claims.append(claim(2, "suspended", 20, reported=21))
    second = world.run(now=22)
    assert second.entries == ()
    assert second.links == ((1, (2,)),)
    assert first.current.last_confirmed_at == day(0)
    assert (second.current.since, second.current.last_confirmed_at) == (day(0), day(21))


# --- append-only corrections -------------------------------------------------------------------


def test_correcting_the_date_of_an_event_supersedes_the_old_entry():
    world = World(claims=[claim(1, "suspended", 2)])
    world.run(now=3)
    world.claims.append(claim(2, "suspended", 0, authority=OFFICIAL, reported=4))
    decision = world.run(now=4)
    [entry] = decision.entries
    assert (entry.effective_at, entry.supersedes_id) == (day(0), 1)
    assert world.public() == [("suspended", day(0))]
    assert len(world.timeline) == 2  # the audit trail keeps both


def test_rejecting_the_claim_behind_the_current_status_withdraws_it_and_alerts():
    world = World(claims=[claim(1, "open", -20), claim(2, "suspended", 0)])
    world.run(now=1)
    world.claims[1] = claim(2, "suspended", 0, review=Review.REJECTED)
    decision = world.run(now=2)
    [entry] = decision.entries
    assert (entry.rule, entry.supersedes_id, entry.status) == (Rule.RETRACTION, 2, "open")
    assert entry.alters_current
    assert decision.current.status == "open"


# --- alerts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "now",
    [
        pytest.param(3, id="a fresh change"),
        pytest.param(400, id="a change learnt more than a year after it took effect"),
    ],
)
def test_every_change_of_the_published_status_alerts_however_late_it_is_learnt(now):
    world = World(claims=[claim(1, "suspended", 0)])
    [entry] = world.run(now=now).entries
    assert entry.alters_current is True


def test_reopening_learnt_late_alerts_and_earlier_history_filled_in_does_not():
    world = World(claims=[claim(1, "suspended", 0, authority=OFFICIAL)])
    world.run(now=1)
    world.claims.append(claim(2, "open", 100, reported=110, authority=OFFICIAL))
    world.claims.append(claim(3, "restricted", 50, reported=110, authority=OFFICIAL))
    decision = world.run(now=110)
    alerting = {(e.status, e.alters_current) for e in decision.entries}
    assert alerting == {("open", True), ("restricted", False)}


# --- audiences ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claims", "public"),
    [
        pytest.param(
            [claim(1, "open", 0), claim(2, "suspended", 15, authority=OFFICIAL, inherited=True)],
            ["open", "suspended"],
            id="a suspension for all foreigners applies to one nationality too",
        ),
        pytest.param(
            [claim(1, "open", 0), claim(2, "restricted", 1, inherited=True)],
            ["open"],
            id="a claim for this nationality wins over a general one of the same period",
        ),
        pytest.param(
            [
                claim(1, "open", 0),
                claim(2, "suspended", 2, authority=OFFICIAL, inherited=True),
            ],
            ["suspended"],
            id="a clearly more authoritative general statement still covers the nationality",
        ),
    ],
)
def test_general_claims_apply_to_a_nationality_unless_it_has_its_own(claims, public):
    world = World(claims=claims)
    world.run(now=20)
    assert statuses(world) == public


# --- idempotence -------------------------------------------------------------------------------

SCENARIOS = {
    "merge": ([claim(i, "suspended", i * 0.5) for i in range(1, 6)], []),
    "authority": ([claim(1, "suspended", 0, authority=OFFICIAL), claim(2, "open", 10)], []),
    "contest": ([claim(1, "open", 0), claim(2, "suspended", 2)], []),
    "override": (
        [claim(1, "open", 0), claim(2, "suspended", 8)],
        [override(1, "closed", 5, end=10)],
    ),
    "future": ([claim(1, "suspended", 0), claim(2, "open", 30, reported=5)], []),
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_deciding_again_over_what_was_just_written_changes_nothing(name):
    claims, overrides = SCENARIOS[name]
    world = World(claims=claims, overrides=overrides)
    world.run(now=20)
    again = world.run(now=20)
    assert not again.writes_anything


_statuses = st.sampled_from(["open", "restricted", "suspended", "closed"])
_claims = st.lists(
    st.tuples(
        _statuses,
        st.integers(0, 90),
        st.sampled_from([OFFICIAL, OPERATOR, NEWS, 20]),
        st.sampled_from(list(Review)),
        st.booleans(),
    ),
    max_size=12,
)


@settings(max_examples=400, deadline=None)
@given(
    batches=st.lists(_claims, min_size=1, max_size=3),
    overrides=st.lists(
        st.tuples(_statuses, st.integers(0, 90), st.one_of(st.none(), st.integers(1, 30))),
        max_size=2,
    ),
)
def test_any_sequence_of_runs_settles_and_a_second_run_changes_nothing(batches, overrides):
    world = World(
        overrides=[
            override(i, status, start, None if length is None else start + length)
            for i, (status, start, length) in enumerate(overrides, 1)
        ]
    )
    next_id = 1
    for run, batch in enumerate(batches):
        for status, on, authority, review, inherited in batch:
            world.claims.append(
                claim(next_id, status, on, authority=authority, review=review, inherited=inherited)
            )
            next_id += 1
        world.run(now=40 * (run + 1))
        assert not world.run(now=40 * (run + 1)).writes_anything
        superseded = [r.supersedes_id for r in world.timeline if r.supersedes_id]
        assert len(superseded) == len(set(superseded))
