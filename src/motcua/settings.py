"""Settings, read from environment variables only.

Development defaults apply when nothing is set (SQLite under ``./var``). ``MOTCUA_ENV=production``
switches on the production checks: a real secret key, HTTPS cookies and staff two-factor login.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP  # type: ignore[attr-defined]

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


MOTCUA_ENV = env("MOTCUA_ENV", "development")
PRODUCTION = MOTCUA_ENV == "production"
DEV_SECRET_KEY = "dev-insecure-motcua-secret-key-do-not-use-in-production"  # noqa: S105

SECRET_KEY = env("SECRET_KEY", DEV_SECRET_KEY)
if PRODUCTION and (SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 40):
    raise ImproperlyConfigured(
        "MOTCUA_ENV=production cần SECRET_KEY riêng, dài ít nhất 40 ký tự "
        "(production refuses the development secret key)."
    )
# Off unless asked for (DEBUG=1, on a developer's machine only): the demo too shows the error pages,
# never Django's list of URLs or a traceback.
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]


def _networks(raw: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    out = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        try:
            out.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: “{item}” không phải địa chỉ IP hay dải địa chỉ (CIDR) hợp lệ."
            ) from None
    return out


# Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (addresses or CIDR ranges,
# comma-separated; core.middleware.TrustedProxyMiddleware). Empty: the server faces clients directly.
TRUSTED_PROXIES = _networks(env("TRUSTED_PROXIES"))

VAR_DIR = Path(env("MOTCUA_VAR_DIR", str(Path.cwd() / "var"))).resolve()
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media"))).resolve()
MEDIA_URL = "/media/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "static"))).resolve()
STATIC_URL = "/static/"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from finders in development
# Front-end packages installed from the npm registry (package-lock.json); see motcua/staticfiles.py.
NODE_MODULES_DIR = Path(env("MOTCUA_NODE_MODULES", str(BASE_DIR.parent.parent / "node_modules"))).resolve()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    "ninja",  # the API docs page (Swagger UI) from ninja's own static files, not from a CDN
    "motcua.core",
    "motcua.workdays",
    "motcua.catalogue",
    "motcua.dossiers",
    "motcua.documents",
    "motcua.payments",
    "motcua.integrations",
    "motcua.evaluation",
    "motcua.feedback",
    "motcua.staff",
    "motcua.portal",
    "motcua.citizens",
    "motcua.online",
    "motcua.exports",
    "motcua.directives",
    "motcua.reporting",
    "motcua.dashboard",
    "motcua.demo",
]

MIDDLEWARE = [
    "motcua.core.middleware.TrustedProxyMiddleware",  # first: the client's address and scheme
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "motcua.core.middleware.LanguageMiddleware",  # language cookie only, never Accept-Language
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "motcua.core.middleware.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so its refusals (body too large, NUL in the address) still get the headers above.
    "motcua.core.errorpages.RequestGuardMiddleware",
]

ROOT_URLCONF = "motcua.urls"
WSGI_APPLICATION = "motcua.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "motcua.core.context_processors.site",
                "motcua.citizens.context.citizen",
            ],
        },
    },
]


def _database() -> dict[str, object]:
    url = env("DATABASE_URL")
    if not url:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{VAR_DIR / 'motcua.sqlite3'}"
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=0))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the worker and the web server read while the other writes; IMMEDIATE takes the
        # write lock at BEGIN, so two writers queue on busy_timeout instead of failing mid-way.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;PRAGMA busy_timeout=20000;"
            ),
        }
        # One test database per test run (process): two runs side by side never share a file.
        config["TEST"] = {"NAME": str(VAR_DIR / f"test-motcua-{os.getpid()}.sqlite3")}
    else:
        config["CONN_MAX_AGE"] = int(env("DB_CONN_MAX_AGE", "60"))
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # The database cache is shared by every process (web server and worker), so login throttling
    # counts attempts across all of them. Created by `motcua migrate` (see core migration 0002).
    # MAX_ENTRIES: the 766 dashboard keeps one entry per period × unit (evaluation/cache.py); Django's
    # default of 300 would cull them (and the login counters) all the time.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "motcua_cache",
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Staff two-factor login (TOTP): required in production, may be switched off for the demo.
MOTCUA_REQUIRE_2FA = env_bool("MOTCUA_REQUIRE_2FA", PRODUCTION)
# Login throttling (core/login.py): this many failures of one account from one address within the
# window lock that account at that address; the account from every address and the address across
# every account lock at their own, higher limits (one shared address never locks everyone out).
MOTCUA_LOGIN_MAX_FAILURES = int(env("MOTCUA_LOGIN_MAX_FAILURES", "5"))
MOTCUA_LOGIN_MAX_FAILURES_PER_ACCOUNT = int(env("MOTCUA_LOGIN_MAX_FAILURES_PER_ACCOUNT", "20"))
MOTCUA_LOGIN_MAX_FAILURES_PER_ADDRESS = int(env("MOTCUA_LOGIN_MAX_FAILURES_PER_ADDRESS", "100"))
MOTCUA_LOGIN_LOCK_SECONDS = int(env("MOTCUA_LOGIN_LOCK_SECONDS", "900"))
# API tokens (core/tokens.py): failures of one token from one address, and of any token from one address.
MOTCUA_API_TOKEN_MAX_FAILURES = int(env("MOTCUA_API_TOKEN_MAX_FAILURES", "10"))
MOTCUA_API_TOKEN_MAX_FAILURES_PER_ADDRESS = int(env("MOTCUA_API_TOKEN_MAX_FAILURES_PER_ADDRESS", "100"))
MOTCUA_API_TOKEN_LOCK_SECONDS = int(env("MOTCUA_API_TOKEN_LOCK_SECONDS", str(MOTCUA_LOGIN_LOCK_SECONDS)))
# The counter's lookup of a citizen by CCCD (dossiers/applicant_lookup.py): lookups per officer per window.
MOTCUA_LOOKUP_MAX = int(env("MOTCUA_LOOKUP_MAX", "40"))
MOTCUA_LOOKUP_WINDOW_SECONDS = int(env("MOTCUA_LOOKUP_WINDOW_SECONDS", "600"))
# Public tracking (/tra-cuu-ho-so/): failed look-ups per address per window.
MOTCUA_TRACKING_MAX = int(env("MOTCUA_TRACKING_MAX", "20"))
MOTCUA_TRACKING_WINDOW_SECONDS = int(env("MOTCUA_TRACKING_WINDOW_SECONDS", "900"))
MOTCUA_PROVINCE_NAME = env("MOTCUA_PROVINCE_NAME", "Thành phố Hải Phòng")
# The public address of the portal, printed in the QR code of the forms (tracking a dossier).
MOTCUA_PUBLIC_URL = env("MOTCUA_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# Digital signatures (documents/signing.py, docs/documents.md). The demo CA's keys live in this folder
# (``motcua documents demo-ca``); a deployment signs through PKCS#11 instead (MOTCUA_PKCS11_MODULE…) and
# trusts its CA's roots (PEM files, comma-separated). The demo root is trusted outside production only.
MOTCUA_SIGNING_DIR = Path(env("MOTCUA_SIGNING_DIR", str(VAR_DIR / "signing"))).resolve()
MOTCUA_TRUST_ROOTS = [p.strip() for p in env("MOTCUA_TRUST_ROOTS").split(",") if p.strip()]
MOTCUA_TRUST_DEMO_ROOT = env_bool("MOTCUA_TRUST_DEMO_ROOT", not PRODUCTION)
MOTCUA_TSA_URL = env("MOTCUA_TSA_URL").strip()  # RFC 3161; empty = the demo TSA in-process
MOTCUA_STAMP_FONT = env(
    "MOTCUA_STAMP_FONT", "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
)
MOTCUA_PKCS11: dict[str, str] = (
    {
        "module": env("MOTCUA_PKCS11_MODULE"),
        "token": env("MOTCUA_PKCS11_TOKEN"),
        "pin": env("MOTCUA_PKCS11_PIN"),
        "officer_label": env("MOTCUA_PKCS11_OFFICER_LABEL", "officer-{username}"),
        "organisation_label": env("MOTCUA_PKCS11_ORGANISATION_LABEL", "org-{unit}"),
        "raw": env("MOTCUA_PKCS11_RAW", "1"),  # hash in motcua, raw signature on the token
    }
    if env("MOTCUA_PKCS11_MODULE")
    else {}
)
# Public verification (/xac-thuc/): checks per address per window.
MOTCUA_VERIFY_MAX = int(env("MOTCUA_VERIFY_MAX", "30"))
MOTCUA_VERIFY_WINDOW_SECONDS = int(env("MOTCUA_VERIFY_WINDOW_SECONDS", "600"))
# How many of the demo history's finished dossiers get a signed electronic result (documents/demo.py).
MOTCUA_DEMO_SIGNED_RESULTS = int(env("MOTCUA_DEMO_SIGNED_RESULTS", "40"))
# Largest file accepted to sign as a result or to verify (bytes).
MOTCUA_DOCUMENT_MAX_BYTES = int(env("MOTCUA_DOCUMENT_MAX_BYTES", str(20 * 1024 * 1024)))
# Exports (motcua.exports): up to this many rows are written while the user waits, more go to the
# worker; files are kept this many days; one person may have this many exports running at once.
EXPORT_INLINE_ROWS = int(env("EXPORT_INLINE_ROWS", "2000"))
EXPORT_KEEP_DAYS = int(env("EXPORT_KEEP_DAYS", "7"))
EXPORT_MAX_ACTIVE = int(env("EXPORT_MAX_ACTIVE", "3"))
# The national reporting system (integrations/contrib/baocao.py): where accepted aggregated reports
# are posted, with this bearer token when set; without an endpoint they wait in the outbox.
REPORTING_ENDPOINT = env("REPORTING_ENDPOINT").strip()
REPORTING_TOKEN = env("REPORTING_TOKEN")
# The national public service portal (integrations/contrib/dvcqg.py): the address of its integration
# adapter, the account the province was given, and the unit code sent as ``madonvi`` (when set).
# Without an endpoint the dossiers' messages wait in the outbox.
DVCQG_ENDPOINT = env("DVCQG_ENDPOINT").strip()
DVCQG_USERNAME = env("DVCQG_USERNAME")
DVCQG_PASSWORD = env("DVCQG_PASSWORD")
DVCQG_UNIT_CODE = env("DVCQG_UNIT_CODE").strip()  # ❓ Hải Phòng's code is not published: set it in production
DVCQG_TIMEOUT_SECONDS = float(env("DVCQG_TIMEOUT_SECONDS", "10"))
# The demo's dossiers submitted on the national portal, for its simulator (dossiers/demo_portal.py).
MOTCUA_DVCQG_INCOMING = Path(env("MOTCUA_DVCQG_INCOMING") or VAR_DIR / "dvcqg-incoming.jsonl")

# The online payment gateway (integrations/contrib/paygate.py, signed redirect-and-notify): the page the
# applicant is sent to, the transaction query address, the merchant code and secret. Without them
# online payment is not offered.
MOTCUA_PAYMENT_GATEWAY = env("MOTCUA_PAYMENT_GATEWAY", "motcua.integrations.contrib.paygate.from_settings")
PAYMENT_GATEWAY_URL = env("PAYMENT_GATEWAY_URL").strip()
PAYMENT_QUERY_URL = env("PAYMENT_QUERY_URL").strip()
PAYMENT_MERCHANT = env("PAYMENT_MERCHANT").strip()
PAYMENT_SECRET = env("PAYMENT_SECRET")
# Invalid payment notifications accepted (and logged) per address within the window, then 429.
MOTCUA_PAYMENT_NOTICE_MAX = int(env("MOTCUA_PAYMENT_NOTICE_MAX", "30"))
MOTCUA_PAYMENT_NOTICE_WINDOW_SECONDS = int(env("MOTCUA_PAYMENT_NOTICE_WINDOW_SECONDS", "600"))

# Citizens' single sign-on through the national identity provider (VNeID, OpenID Connect code flow with
# PKCE; integrations/simulators/vneid.py stands for it): the provider's issuer (its discovery document is
# ISSUER/.well-known/openid-configuration) and the client registered there. Empty = sign-on off.
MOTCUA_OIDC_ISSUER = env("MOTCUA_OIDC_ISSUER").strip()
MOTCUA_OIDC_CLIENT_ID = env("MOTCUA_OIDC_CLIENT_ID").strip()
MOTCUA_OIDC_CLIENT_SECRET = env("MOTCUA_OIDC_CLIENT_SECRET")
# The national population database's look-up (integrations/contrib/population.py, an assumed ❓ protocol
# through NDXP/LGSP): the factory of the adapter (empty = none), the service's address and API key.
# Without an address nothing is looked up.
MOTCUA_POPULATION_REGISTRY = env(
    "MOTCUA_POPULATION_REGISTRY", "motcua.integrations.contrib.population.from_settings"
)
MOTCUA_POPULATION_URL = env("MOTCUA_POPULATION_URL").strip()
MOTCUA_POPULATION_KEY = env("MOTCUA_POPULATION_KEY")

# The outbox's delivery engine (integrations/delivery.py). Each channel's adapter is a factory named
# here, so production changes an adapter by configuration. Back-off: base × 2^(n−1), at most the
# maximum, with jitter; a message refused too often goes to the dead letters after MAX_ATTEMPTS (an
# unreachable receiver never kills a message). A claimed message is held for a lease.
MOTCUA_OUTBOX_CHANNELS = {
    "dvcqg": "motcua.integrations.contrib.dvcqg.from_settings",
    "baocao": "motcua.integrations.contrib.baocao.from_settings",
    "email": "motcua.integrations.contrib.email.from_settings",
    "sms": "motcua.integrations.contrib.phone.sms_from_settings",
    "zalo": "motcua.integrations.contrib.phone.zalo_from_settings",
}
# The applicants' status notices (dossiers/notify.py): the channels a notice is written for (each only
# when the applicant gave what it needs: an e-mail address, a phone number), and their providers.
MOTCUA_NOTIFY_CHANNELS = [c.strip() for c in env("MOTCUA_NOTIFY_CHANNELS", "email").split(",") if c.strip()]
SMS_ENDPOINT = env("SMS_ENDPOINT").strip()
SMS_TOKEN = env("SMS_TOKEN")
SMS_BRANDNAME = env("SMS_BRANDNAME", "MOTCUA")
ZALO_ZNS_ENDPOINT = env("ZALO_ZNS_ENDPOINT").strip()
ZALO_ACCESS_TOKEN = env("ZALO_ACCESS_TOKEN")
ZALO_TEMPLATE_ID = env("ZALO_TEMPLATE_ID", "")
MOTCUA_OUTBOX_BASE_DELAY_SECONDS = float(env("MOTCUA_OUTBOX_BASE_DELAY_SECONDS", "30"))
MOTCUA_OUTBOX_MAX_DELAY_SECONDS = float(env("MOTCUA_OUTBOX_MAX_DELAY_SECONDS", "1800"))
MOTCUA_OUTBOX_MAX_ATTEMPTS = int(env("MOTCUA_OUTBOX_MAX_ATTEMPTS", "12"))
MOTCUA_OUTBOX_LEASE_SECONDS = float(env("MOTCUA_OUTBOX_LEASE_SECONDS", "120"))
MOTCUA_OUTBOX_BATCH = int(env("MOTCUA_OUTBOX_BATCH", "200"))
MOTCUA_OUTBOX_CONCURRENCY = int(env("MOTCUA_OUTBOX_CONCURRENCY", "4"))
MOTCUA_OUTBOX_IDLE_SECONDS = float(env("MOTCUA_OUTBOX_IDLE_SECONDS", "1"))
# The folder holding the full text of the province's plan (directives/demo.py ``seed_dir``; the
# parser's tests read it when present): by default ``shared/seed`` beside the repository.
MOTCUA_SEED_DIR = Path(env("MOTCUA_SEED_DIR") or BASE_DIR.parents[1].parent / "shared" / "seed")

# Background jobs (core/leases.py): a worker beats every quarter of the lease; a job left running by a
# worker silent for a whole lease is queued again, and given up after this many lost workers.
MOTCUA_TASK_LEASE_SECONDS = float(env("MOTCUA_TASK_LEASE_SECONDS", "120"))
MOTCUA_TASK_MAX_ATTEMPTS = int(env("MOTCUA_TASK_MAX_ATTEMPTS", "3"))

# Signed checkpoints of the audit chain (core/checkpoints.py), written outside the database. The key
# comes from the environment only and is never stored in the database; retired keys stay listed in
# AUDIT_CHECKPOINT_OLD_KEYS (comma-separated) so the checkpoints they signed can still be checked.
AUDIT_CHECKPOINT_KEY = env("AUDIT_CHECKPOINT_KEY")
AUDIT_CHECKPOINT_OLD_KEYS = [k.strip() for k in env("AUDIT_CHECKPOINT_OLD_KEYS").split(",") if k.strip()]
AUDIT_CHECKPOINT_DIR = Path(env("AUDIT_CHECKPOINT_DIR", str(VAR_DIR / "audit-checkpoints"))).resolve()
if AUDIT_CHECKPOINT_KEY and (len(AUDIT_CHECKPOINT_KEY) < 32 or AUDIT_CHECKPOINT_KEY == SECRET_KEY):
    raise ImproperlyConfigured(
        "AUDIT_CHECKPOINT_KEY phải dài ít nhất 32 ký tự và khác SECRET_KEY "
        "(the audit checkpoint key must be long and separate from the secret key)."
    )

# Source strings are Vietnamese; English is a translation catalogue (docs/adr/0001). The language
# is chosen only with the switcher, which sets the language cookie (motcua.core.middleware).
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600  # remembered for a year, not only for the browser session
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = PRODUCTION
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
FORMAT_MODULE_PATH = ["motcua.formats"]
USE_TZ = True

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Documents kept with dossiers (motcua.documents): each file under its SHA-256, never overwritten.
    # A folder by default; S3-compatible object storage when MOTCUA_DOCUMENTS_S3_BUCKET is set.
    "documents": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env("MOTCUA_DOCUMENTS_S3_BUCKET"),
                "endpoint_url": env("MOTCUA_DOCUMENTS_S3_ENDPOINT") or None,
                "region_name": env("MOTCUA_DOCUMENTS_S3_REGION") or None,
                "access_key": env("MOTCUA_DOCUMENTS_S3_ACCESS_KEY") or None,
                "secret_key": env("MOTCUA_DOCUMENTS_S3_SECRET_KEY") or None,
                "location": env("MOTCUA_DOCUMENTS_S3_PREFIX", "documents"),
                "file_overwrite": False,
                "default_acl": None,  # private: files are served through motcua's views only
                "querystring_auth": True,
            },
        }
        if env("MOTCUA_DOCUMENTS_S3_BUCKET")
        else {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(MEDIA_ROOT / "documents"), "base_url": None},
        }
    ),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Only the built files of each package are exposed, under /static/vendor/<name>/.
_VENDOR = {
    "bootstrap": "bootstrap/dist",
    "bootstrap-icons": "bootstrap-icons/font",
    "htmx": "htmx.org/dist",
    "inter": "@fontsource/inter",
}
STATICFILES_DIRS: list[object] = [BASE_DIR / "static"] + [
    (f"vendor/{name}", NODE_MODULES_DIR / sub)
    for name, sub in _VENDOR.items()
    if (NODE_MODULES_DIR / sub).exists()
]
WHITENOISE_USE_FINDERS = not PRODUCTION

# E-mail (Django 6.1 MAILERS). Development prints messages to the console; production uses SMTP:
# set the SMTP_* variables (MOTCUA_EMAIL=console forces the console, MOTCUA_EMAIL=file writes files).
if env("MOTCUA_EMAIL", "smtp" if PRODUCTION else "console") == "smtp":
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env("SMTP_HOST", "localhost"),
                "port": int(env("SMTP_PORT", "25")),
                "username": env("SMTP_USER"),
                "password": env("SMTP_PASSWORD"),
                "use_tls": env_bool("SMTP_USE_TLS", False),
            },
        }
    }
elif env("MOTCUA_EMAIL") == "file":
    # One file per connection under EMAIL_FILE_PATH: a staging server, or tests that watch a worker.
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": env("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))},
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "motcua@localhost")

# Security headers. Content-Security-Policy: only our own origin; no inline scripts or styles.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(env("SESSION_COOKIE_AGE", str(8 * 3600)))
CSRF_COOKIE_SAMESITE = "Lax"
# Behind a TLS-terminating proxy the scheme comes from X-Forwarded-Proto, and only when the proxy is in
# TRUSTED_PROXIES (core.middleware; never SECURE_PROXY_SSL_HEADER, which would believe any client).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["stderr"], "level": env("LOG_LEVEL", "WARNING")},
    # The database worker prints its own progress lines; don't print them a second time via root.
    "loggers": {
        "django_tasks_db": {"propagate": False},
        "django.tasks": {"propagate": False},
    },
}

NINJA_PAGINATION_MAX_LIMIT = 200

# Request bodies: forms with files (scans, Excel, plans) up to MOTCUA_UPLOAD_MAX_MB in all; anything
# else (every API call, plain forms) up to DATA_UPLOAD_MAX_MEMORY_SIZE. Larger is a 413 in the area's
# error format (motcua.core.errorpages).
MOTCUA_UPLOAD_MAX_BYTES = int(float(env("MOTCUA_UPLOAD_MAX_MB", "100")) * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = int(float(env("MOTCUA_BODY_MAX_MB", "2.5")) * 1024 * 1024)
