from django.urls import path

from . import views

app_name = "tasks"

urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("<slug:code>/", views.plan_detail, name="plan_detail"),
]
