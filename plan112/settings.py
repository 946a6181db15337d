"""Settings, all from the environment.

With nothing set the application runs on the embedded default: SQLite, a Celery broker
in folders on disk and e-mail written to files, all under ``var/``. With
``PLAN112_ENV=production`` every secret must be given, and a missing one stops the start
with a message naming the variable.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

ENVIRONMENT = os.environ.get("PLAN112_ENV", "development").strip().lower()
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"PLAN112_ENV must be 'development' or 'production', not {ENVIRONMENT!r}."
    )
PRODUCTION = ENVIRONMENT == "production"


def env(name: str, default: str | None = None, *, required_in_production: bool = False) -> str:
    """Read one variable; in production a required one that is missing stops the start."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        if PRODUCTION and required_in_production:
            raise ImproperlyConfigured(
                f"Thiếu biến môi trường {name} (bắt buộc khi PLAN112_ENV=production)."
                f" Missing environment variable {name}."
            )
        return default if default is not None else ""
    return value.strip()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "", **kwargs) -> list[str]:
    return [item.strip() for item in env(name, default, **kwargs).split(",") if item.strip()]


VAR_DIR = Path(env("PLAN112_VAR_DIR", str(BASE_DIR / "var"))).resolve()

SECRET_KEY = env(
    "SECRET_KEY",
    "development-only-key-never-use-in-production-0123456789abcdef",
    required_in_production=True,
)
DEBUG = env_bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", "127.0.0.1,localhost,testserver", required_in_production=True
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000", required_in_production=True).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "rest_framework",
    "drf_spectacular",
    "plan112.apps.AxesConfig",
    "organisations",
    "tasks",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "plan112.middleware.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it answers locked-out sign-ins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "plan112.urls"
WSGI_APPLICATION = "plan112.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "organisations.context_processors.memberships",
                "tasks.context_processors.rollup_menu",
                "reports.context_processors.notifications",
                "plan112.context_processors.security",
            ],
        },
    },
]

# Database: PostgreSQL in production (DATABASE_URL), a SQLite file under var/ otherwise.
DATABASE_URL = env(
    "DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}", required_in_production=True
)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Waiting for a lock beats failing with "database is locked" when the worker writes.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # The tests' database is a file too: an in-memory one is shared with the live
    # server's threads over a single connection, and the requests a page makes at once
    # (the dashboard's panels) blocked each other on it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: the pages' queries are short, but a CASE of correlated look-ups (sub-plan
    # buckets, who is expected) is estimated costly, and compiling it took 450 ms of a
    # 550 ms query at 50,000 organisations (EXPLAIN ANALYZE; docs/performance.md).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "organisations.User"
# django-axes first: it refuses sign-ins after too many failures, before checking passwords.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(env("AXES_COOLOFF_MINUTES", "15")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Reverse proxies in front of gunicorn: the client's address is read from X-Forwarded-For
# (plan112/client_ip.py), by the lockout and the API throttle alike.
PROXY_COUNT = int(env("AXES_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "plan112.client_ip.client_ip"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = int(env("SESSION_COOKIE_AGE", str(8 * 3600)))

# Vietnamese only: LANGUAGES holds one language, so a browser asking for English still
# gets Vietnamese. Dates are dd/mm/yyyy and numbers 1.234.567,89 (plan112/formats/vi).
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["plan112.formats"]
USE_I18N = True
USE_THOUSAND_SEPARATOR = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploads are private: MEDIA_URL is never routed; files leave only through views that
# check who is asking.
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media"))).resolve()
MEDIA_URL = "/private-media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
UPLOAD_MAX_BYTES = int(env("UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))

# Content-Security-Policy: only this site's own scripts, styles, images and fonts; no
# inline scripts or styles anywhere, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: SMTP when EMAIL_HOST is set, otherwise one file per message under var/mail/.
EMAIL_HOST = env("EMAIL_HOST", required_in_production=True)
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(env("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = env("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
    EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "20"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Theo dõi kế hoạch <khong-tra-loi@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis in production; in the embedded default a broker made of folders on disk,
# so a worker runs with no server installed. Folders are absolute and made at start.
CELERY_BROKER_URL = env(
    "CELERY_BROKER_URL",
    # The hostname means nothing to the file broker; naming one keeps kombu from warning.
    "filesystem://localhost/",
    required_in_production=True,
)
BROKER_DIR = VAR_DIR / "broker"
# Requests publish jobs (a submission's e-mail, a summary's build): a broker that is down
# or accepts the connection and never answers must fail the publish within seconds (about
# twice this, one retry included), never hold the request. What was not queued, the
# outbox sweep delivers later. Without socket timeouts Redis reads wait forever.
BROKER_TIMEOUT = float(env("BROKER_TIMEOUT", "3"))
REDIS_BROKER_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_timeout": BROKER_TIMEOUT,
    "socket_connect_timeout": BROKER_TIMEOUT,
    "max_retries": 1,
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(BROKER_DIR / "control"),
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_BROKER_OPTIONS
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_TIMEOUT
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# The beat schedule, in Asia/Ho_Chi_Minh time (CELERY_TIMEZONE).
CELERY_BEAT_SCHEDULE = {
    # Every day at 07:00: deadline reminders to organisations, and the reviewers' digest.
    "deadline-reminders": {
        "task": "reports.send_deadline_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    # Every five minutes: deliver e-mails whose first attempt could not reach the broker.
    "outbox-sweep": {
        "task": "reports.deliver_outbox",
        "schedule": crontab(minute="*/5"),
    },
    # Every day at 06:30: start the yearly summary of cycles due SUMMARY_AFTER_DUE_DAYS ago.
    "yearly-summaries": {
        "task": "reports.start_due_summaries",
        "schedule": crontab(hour=6, minute=30),
    },
    # Every day at 03:00: remove the exported files older than EXPORT_KEEP_HOURS.
    "old-exports": {
        "task": "reports.remove_old_exports",
        "schedule": crontab(hour=3, minute=0),
    },
}
# How many days after a cycle's due date beat builds its yearly summary.
SUMMARY_AFTER_DUE_DAYS = int(env("SUMMARY_AFTER_DUE_DAYS", "10"))
# A dashboard's or rollup's file listing at most this many organisations is written while
# the page waits; a larger one is written by a job, with its progress on a page of its own.
EXPORT_IMMEDIATE_ROWS = int(env("PLAN112_EXPORT_IMMEDIATE_ROWS", "2000"))
# How long the files those jobs write are kept, in hours.
EXPORT_KEEP_HOURS = int(env("PLAN112_EXPORT_KEEP_HOURS", "24"))
# Failed e-mails are retried this many times, with exponential backoff.
EMAIL_MAX_RETRIES = int(env("EMAIL_MAX_RETRIES", "5"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "reports.api.authentication.ThrottledBasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 200,
    "COERCE_DECIMAL_TO_STRING": False,
    # Per address for callers not signed in (and for every HTTP Basic attempt, counted
    # before the password is checked), per account for those signed in; 429 with
    # Retry-After beyond. The throttle counts in the default cache.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", "60/minute"),
        "user": env("API_THROTTLE_USER", "600/minute"),
    },
    "NUM_PROXIES": PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API theo dõi thực hiện kế hoạch",
    "DESCRIPTION": "API chỉ đọc: kỳ báo cáo, tình hình nộp báo cáo và số liệu tổng hợp.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

# Demo accounts exist only outside production.
DEMO_PASSWORD = env("DEMO_PASSWORD", "Demo@2026")

# Every folder the application writes to is absolute and made at start.
for folder in (
    VAR_DIR,
    MEDIA_ROOT,
    STATIC_ROOT,
    VAR_DIR / "mail",
    *(Path(p) for key, p in CELERY_BROKER_TRANSPORT_OPTIONS.items() if key.endswith("folder")),
    *(Path(p) for key, p in CELERY_BROKER_TRANSPORT_OPTIONS.items() if key.startswith("data_")),
):
    folder.mkdir(parents=True, exist_ok=True)

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
