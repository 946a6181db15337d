from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from .views import health, home

admin.site.site_header = _("Quản trị hệ thống theo dõi kế hoạch")
admin.site.site_title = _("Quản trị")
admin.site.index_title = _("Dữ liệu hệ thống")

urlpatterns = [
    path("", home, name="home"),
    path(
        "dang-nhap/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("ke-hoach/", include("tasks.urls")),
    path("to-chuc/", include("organisations.urls")),
    path("", include("reports.urls")),
    path("api/", include("reports.api.urls")),
    path("quan-tri/", admin.site.urls),
    path("health/", login_not_required(require_GET(health)), name="health"),
]
