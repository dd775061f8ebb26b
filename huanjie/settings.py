"""Django settings for 换届通.

Development mode (the default) just works: SQLite in ``var/``, a generated secret key kept in
``var/secret_key``. Production mode (``HUANJIE_PRODUCTION=1``) refuses to start without
``HUANJIE_SECRET_KEY`` and turns on secure cookies, HSTS and a strict CSP.
"""

import hashlib
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("HUANJIE_VAR_DIR", Path.cwd() / "var"))

PRODUCTION = os.environ.get("HUANJIE_PRODUCTION", "") in {"1", "true", "yes"}
# Off unless asked for (HUANJIE_DEBUG=1): `make run` is what a clerk sees, and a clerk reads the
# Chinese 404/500 pages, never Django's English debug pages with the URL list.
DEBUG = os.environ.get("HUANJIE_DEBUG", "") in {"1", "true", "yes"}
# The first-run page (/setup/) lets whoever reaches an empty installation first create its county
# office account. In production the county is set up on the server with `huanjie setup` instead.
FIRST_RUN_PAGE = os.environ.get("HUANJIE_FIRST_RUN_PAGE", "" if PRODUCTION else "1") in {"1", "true", "yes"}


def _secret_key() -> str:
    key = os.environ.get("HUANJIE_SECRET_KEY", "")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("生产模式必须设置环境变量 HUANJIE_SECRET_KEY（至少 50 个字符的随机串）。")
    # Development: a key generated once per checkout, so sessions survive restarts.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
if PRODUCTION and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("HUANJIE_SECRET_KEY 太短：生产模式要求至少 50 个字符。")

ALLOWED_HOSTS = [h for h in os.environ.get("HUANJIE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("HUANJIE_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "huanjie.core",
    "huanjie.accounts",
    "huanjie.people",
    "huanjie.campaigns",
    "huanjie.elections",
    "huanjie.review",
    "huanjie.preparation",
    "huanjie.party",
    "huanjie.congress",
    "huanjie.villageposts",
    "huanjie.oversight",
    "huanjie.supervision",
    "huanjie.reports",
    "huanjie.documents",
    "huanjie.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "huanjie.elections.aftervote.locking.ActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "huanjie.core.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "huanjie.core.middleware.SecurityHeadersMiddleware",
    "huanjie.core.middleware.FirstRunMiddleware",
    "huanjie.core.middleware.BadValueMiddleware",
]

ROOT_URLCONF = "huanjie.urls"
CSRF_FAILURE_VIEW = "huanjie.core.views.csrf_failure"

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
                "huanjie.core.context.navigation",
                "huanjie.core.kept.kept_form",
            ],
        },
    }
]

WSGI_APPLICATION = "huanjie.wsgi.application"

# SQLite by default; PostgreSQL (psycopg 3) when DATABASE_URL is set.
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
    # One test database per checkout, so that two checkouts can run their suites at the same time.
    _checkout = hashlib.sha256(str(Path(__file__).resolve().parent).encode()).hexdigest()[:8]
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("HUANJIE_TEST_DB_NAME", f"test_huanjie_{_checkout}")}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            # Django's SQLite backend with this process's writers queued in turn (see its docstring).
            "ENGINE": "huanjie.core.db.sqlite3",
            "NAME": os.environ.get("HUANJIE_SQLITE_PATH", str(VAR_DIR / "huanjie.sqlite3")),
            # Tests use a file too: an in-memory shared-cache database answers "table is locked" at
            # once when a background job thread and a request write together, instead of waiting.
            "TEST": {"NAME": str(VAR_DIR / "test-huanjie.sqlite3")},
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Our own validators: every message in Chinese whatever the browser's language (huanjie/accounts/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "huanjie.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "huanjie.accounts.passwords.NotUsernameValidator"},
    {"NAME": "huanjie.accounts.passwords.NumericPasswordValidator"},
    {"NAME": "huanjie.accounts.passwords.CommonPasswordValidator"},
]
# Login lockout: this many failed logins for one user name within the window lock that name for
# LOGIN_LOCKOUT_MINUTES. Names that are no account are counted and locked the same way, so the
# answer never tells whether an account exists.
LOGIN_MAX_FAILURES = int(os.environ.get("HUANJIE_LOGIN_MAX_FAILURES", "5"))
LOGIN_FAILURE_WINDOW_MINUTES = int(os.environ.get("HUANJIE_LOGIN_FAILURE_WINDOW_MINUTES", "15"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("HUANJIE_LOGIN_LOCKOUT_MINUTES", "15"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = VAR_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # the form fields without the files
# Uploaded tables (huanjie.core.uploads): refused past this size as the bytes arrive, checked as
# containers before parsing, parsed in a child process with these limits.
HUANJIE_UPLOAD_MAX_BYTES = int(os.environ.get("HUANJIE_UPLOAD_MAX_BYTES", 20 * 1024 * 1024))
HUANJIE_UPLOAD_MAX_UNZIPPED_BYTES = int(os.environ.get("HUANJIE_UPLOAD_MAX_UNZIPPED_BYTES", 300 * 1024 * 1024))
HUANJIE_UPLOAD_MAX_ZIP_RATIO = int(os.environ.get("HUANJIE_UPLOAD_MAX_ZIP_RATIO", 100))
HUANJIE_UPLOAD_MAX_CELLS = int(os.environ.get("HUANJIE_UPLOAD_MAX_CELLS", 10_000_000))
HUANJIE_UPLOAD_PARSE_MEMORY_BYTES = int(os.environ.get("HUANJIE_UPLOAD_PARSE_MEMORY_BYTES", 2 * 1024**3))
HUANJIE_UPLOAD_PARSE_SECONDS = int(os.environ.get("HUANJIE_UPLOAD_PARSE_SECONDS", 120))
FILE_UPLOAD_HANDLERS = [
    "huanjie.core.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Uploaded files of finished or abandoned jobs are removed after this many days (their SHA-256
# stays in the audit record); a running job whose heartbeat is older than this is marked failed.
HUANJIE_UPLOAD_RETENTION_DAYS = int(os.environ.get("HUANJIE_UPLOAD_RETENTION_DAYS", 7))
HUANJIE_JOB_STALE_SECONDS = int(os.environ.get("HUANJIE_JOB_STALE_SECONDS", 300))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = os.environ.get("HUANJIE_SSL_REDIRECT", "1") == "1"
# X-Forwarded-Proto/-For are believed only from these addresses (huanjie.core.proxy, in wsgi.py);
# from anyone else they are removed. No SECURE_PROXY_SSL_HEADER: Django would trust any client.
HUANJIE_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("HUANJIE_TRUSTED_PROXIES", "").split(",") if p.strip()]

# Content Security Policy: everything from this origin only (government intranets are offline).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# The audit chains are keyed with a secret that is not in the database (huanjie.accounts.audit):
# HUANJIE_AUDIT_KEY, or a key file (generated on first use in development; production requires one).
HUANJIE_AUDIT_KEY = os.environ.get("HUANJIE_AUDIT_KEY", "")
HUANJIE_AUDIT_KEY_FILE = Path(os.environ.get("HUANJIE_AUDIT_KEY_FILE", VAR_DIR / "audit_key"))
if PRODUCTION and not HUANJIE_AUDIT_KEY and not HUANJIE_AUDIT_KEY_FILE.exists():
    raise ImproperlyConfigured(
        "生产模式必须提供审计密钥：设置环境变量 HUANJIE_AUDIT_KEY（至少 32 个字符），"
        f"或把密钥放在 {HUANJIE_AUDIT_KEY_FILE}（不要与数据库放在一起备份）。"
    )
if PRODUCTION and HUANJIE_AUDIT_KEY and len(HUANJIE_AUDIT_KEY) < 32:
    raise ImproperlyConfigured("HUANJIE_AUDIT_KEY 太短：生产模式要求至少 32 个字符。")
# Checkpoints of every chain head, outside the database (another disk or a mounted share is best).
HUANJIE_AUDIT_CHECKPOINT_DIR = Path(os.environ.get("HUANJIE_AUDIT_CHECKPOINT_DIR", VAR_DIR / "audit_checkpoints"))

# Where the election-data background jobs keep uploaded files while they run.
JOB_DIR = VAR_DIR / "jobs"
