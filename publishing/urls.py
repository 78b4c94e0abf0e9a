"""Public page routes: the board, destination pages, changes, notices and Atom feeds."""

from django.urls import path

from publishing import feeds, map_views, views

app_name = "destinations"
urlpatterns = [
    path("", views.board, name="board"),
    path("destinations/<slug:slug>/", views.destination_detail, name="detail"),
    path("changes/", views.changes, name="changes"),
    path("map/", map_views.world_map, name="map"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("feeds/changes/", feeds.ChangesFeed(), name="feed-changes"),
    path(
        "feeds/destinations/<slug:slug>/",
        feeds.DestinationChangesFeed(),
        name="feed-destination",
    ),
    path("feeds/countries/<str:code>/", feeds.CountryChangesFeed(), name="feed-country"),
]
