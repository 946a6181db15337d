"""The WSGI application gunicorn serves.

Once Django and every view are loaded, those objects live as long as the worker, yet
each full garbage collection would walk all of them again: at national size that was
a request in twenty taking 50–90 ms longer while saving a draft (docs/performance.md).
``settle`` loads the URLconf, and through it every view, then freezes what exists so
far (``gc.freeze``) so that the collector only walks what requests create."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plan112.settings")
application = get_wsgi_application()


def settle() -> None:
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view module now
    gc.collect()
    gc.freeze()


settle()
