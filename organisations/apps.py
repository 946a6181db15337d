from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = _("Tổ chức và người dùng")

    def ready(self) -> None:
        from .ordering import register_sqlite_collation
        from .permission_names import rename_after_migrate

        connection_created.connect(
            register_sqlite_collation, dispatch_uid="organisations.sqlite_collation"
        )

        # Connected after django.contrib.auth's own handler (auth comes first in
        # INSTALLED_APPS), so the permissions it has just created are there to rename.
        post_migrate.connect(rename_after_migrate, dispatch_uid="organisations.permission_names")
