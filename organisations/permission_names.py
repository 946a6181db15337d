"""Vietnamese names for Django's built-in permissions.

Django writes a model's four permissions once, at migrate, as the English sentence
"Can add log entry" (django.contrib.auth.management.create_permissions); no catalogue
translates them afterwards, so the admin's permission boxes showed English. After every
migrate the built-in ones are renamed from their codename and the model's Vietnamese
name; a permission a model declares itself keeps the name it was given."""

from django.apps import apps
from django.utils import translation
from django.utils.translation import gettext as _

ACTIONS = {
    "add": lambda model: _("Được thêm %(model)s") % {"model": model},
    "change": lambda model: _("Được sửa %(model)s") % {"model": model},
    "delete": lambda model: _("Được xóa %(model)s") % {"model": model},
    "view": lambda model: _("Được xem %(model)s") % {"model": model},
}


def vietnamese_name(action: str, model_name: str) -> str:
    return ACTIONS[action](model_name)


def permissions_rename(*, using: str = "default") -> int:
    """Rename every built-in permission still called "Can …"; return how many."""
    from django.contrib.auth.models import Permission

    renamed = []
    with translation.override("vi"):
        stale = Permission.objects.using(using).filter(name__startswith="Can ")
        for permission in stale.select_related("content_type"):
            action, __, model = permission.codename.partition("_")
            if action not in ACTIONS or model != permission.content_type.model:
                continue  # a permission a model declares itself
            try:
                model_class = apps.get_model(permission.content_type.app_label, model)
            except LookupError:  # a model that no longer exists
                continue
            permission.name = vietnamese_name(action, str(model_class._meta.verbose_name))[:255]
            renamed.append(permission)
    Permission.objects.using(using).bulk_update(renamed, ["name"])
    return len(renamed)


def rename_after_migrate(sender, *, using: str = "default", **kwargs) -> None:
    permissions_rename(using=using)
