"""Placeholder while this module is written."""

app_name = "api"
urlpatterns: list = []
