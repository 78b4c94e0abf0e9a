"""Public page routes of this app."""

from django.urls import path

from advisories.alerts import views as alerts_views

app_name = "advisories"
urlpatterns: list = [
    path("alerts/subscribe/", alerts_views.subscribe, name="subscribe"),
    path("alerts/subscribe/sent/", alerts_views.subscribe_sent, name="subscribe-sent"),
    path("alerts/confirm/<str:token>/", alerts_views.confirm, name="confirm"),
    path("alerts/manage/<str:token>/", alerts_views.manage, name="manage"),
    path("alerts/unsubscribe/<str:token>/", alerts_views.unsubscribe, name="unsubscribe"),
]
