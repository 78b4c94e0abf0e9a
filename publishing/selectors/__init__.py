"""Read queries for the public: views, serializers and feeds call these; nothing here writes.

``statuses`` is what every reader shares (current rows, staleness, filters, history as of a
moment); ``board`` and ``overview`` build the two pages from it. This package's surface is the
names below.
"""

from publishing.selectors.board import (
    BOARD_MAX_PAGE,
    BoardChoices,
    BoardPage,
    CountryGroup,
    board,
    board_choices,
    destination_search,
    destinations_without_status,
    last_reconciled_at,
)
from publishing.selectors.overview import (
    DestinationOverview,
    Span,
    count_changes,
    destination_overview,
    last_change_recorded_at,
    recent_changes,
    statuses_from_history,
    timeline_spans,
)
from publishing.selectors.statuses import (
    AudienceStatus,
    StatusFilter,
    confirmations_as_of,
    country_name,
    current_status_rows,
    current_statuses,
    is_stale,
    status_as_of,
    timeline,
)

__all__ = [
    "BOARD_MAX_PAGE",
    "AudienceStatus",
    "BoardChoices",
    "BoardPage",
    "CountryGroup",
    "DestinationOverview",
    "Span",
    "StatusFilter",
    "board",
    "board_choices",
    "confirmations_as_of",
    "count_changes",
    "country_name",
    "current_status_rows",
    "current_statuses",
    "destination_overview",
    "destination_search",
    "destinations_without_status",
    "is_stale",
    "last_change_recorded_at",
    "last_reconciled_at",
    "recent_changes",
    "status_as_of",
    "statuses_from_history",
    "timeline",
    "timeline_spans",
]
