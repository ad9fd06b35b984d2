"""The one settings module of oots-portal, driven by environment variables.

Every variable is documented in README.md ("Settings") with its default. Defaults are the embedded
ones (SQLite, a file-system Celery broker, a file cache) so that ``make demo`` needs no server; a
production deployment sets ``DATABASE_URL`` and ``REDIS_URL``.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from oots_client.edm.errors import UnsupportedVersionError
from oots_client.edm.versions import get_version
from portal import demo_secrets
from portal.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
# Everything the portal writes on its own disk in the embedded set-up (SQLite, broker queue,
# cache, uploaded files) lives here, out of the source tree proper and ignored by git.
VAR_DIR = Path(env_str("OOTS_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY", demo_secrets.DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == demo_secrets.DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set when DEBUG is off (the development default is public). "
        "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The simulators of every counterparty (eIDAS IdP, Common Services, access point, provider) are
# product features for testers, but must never answer in production: off unless DEBUG, and only
# on when asked for explicitly otherwise.
OOTS_SIMULATORS = env_bool("OOTS_SIMULATORS", DEBUG)

# A login without eIDAS, for development only. Refused outright when DEBUG is off, so that a
# misconfigured production portal cannot hand out identities.
OOTS_DEV_LOGIN = env_bool("OOTS_DEV_LOGIN", DEBUG)
if OOTS_DEV_LOGIN and not DEBUG:
    raise ImproperlyConfigured("OOTS_DEV_LOGIN is only allowed when DEBUG is on")

INSTALLED_APPS = [
    # Owners' content (procedure names, form labels, choices) per language (procedures/translation.py,
    # docs/authoring.md); before the admin, which its registrations patch.
    "modeltranslation",
    # Django's admin, with the portal's own default site: a second factor for staff (accounts.admin_site),
    # each staff user limited to the authorities they work for (authorities.admin_site).
    "authorities.admin_app.AuthorityAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "accounts",
    # django-allauth's SAML provider carries the eIDAS login (accounts/eidas/); its local
    # password accounts are switched off (SOCIALACCOUNT_ONLY below).
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.saml",
    "authorities",
    "procedures",
    "exchanges",
    # Submitted applications handed on to the authorities' back offices (email, webhook, API).
    "registrations",
    # Lockout of admin logins after repeated failures; TOTP second factor for staff.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # The wiring layer's own checks (manage.py check --deploy; the servers refuse to start on an error).
    "portal.apps.PortalConfig",
]
# The simulators of the counterparties and the test runners (``manage.py oots_journey``, ``oots_exchange``):
# installed with OOTS_SIMULATORS only. Named here, not imported: the portal never imports ``simulators``
# (docs/architecture.md; an import-linter contract checks it).
SIMULATOR_APPS = [
    "simulators.eidas_idp",
    "simulators.common_services",
    "simulators.access_point",
    "simulators.evidence_provider",
    "simulators.runners",
]
if OOTS_SIMULATORS:
    INSTALLED_APPS += SIMULATOR_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below whitenoise: every response the portal itself makes is "no-store" unless its view says otherwise.
    "portal.middleware.NoStoreMiddleware",
    # The eIDAS ACS reads the session of the browser that started the login (accounts/eidas/pending.py).
    "accounts.eidas.pending.AcsSessionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
                "django.template.context_processors.csp",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # SQLite is shared by the web process and the worker in the demo: wait for locks rather than
    # failing at once, and use WAL so that readers do not block the writer.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side parameter binding: values travel apart from the SQL, binary where psycopg can, instead
    # of being escaped into it. A megabyte of bytea (the access-point simulator keeps whole envelopes) is
    # written about 3x faster. Off with DATABASE_SERVER_SIDE_BINDING=0 (e.g. behind PgBouncer in
    # transaction mode with an old version).
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = env_bool(
        "DATABASE_SERVER_SIDE_BINDING", True
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery broker -----------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "oots",
        }
    }
else:
    # A file cache, not a per-process memory cache: the web process and the worker must see the
    # same entries (replay protection, Common Services answers).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

_CELERY_FS_DIR = VAR_DIR / "celery-broker"
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's file-system transport: a broker that needs no server, for the demo only. It does not
    # create its folders itself.
    for _folder in ("queue", "control"):
        (_CELERY_FS_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "data_folder_in": str(_CELERY_FS_DIR / "queue"),
        "data_folder_out": str(_CELERY_FS_DIR / "queue"),
        "control_folder": str(_CELERY_FS_DIR / "control"),
        "store_processed": False,
    }
else:
    # With acks_late, an unacknowledged task is redelivered after this long: it must exceed the
    # hard time limit, or a slow task would run twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True  # outcomes are recorded in the database, not a result backend
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the task to another worker
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Keep the database connection between tasks (portal.celery closes it when broken or past CONN_MAX_AGE).
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 60)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 90)
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TIMEZONE = "UTC"
# The simulators stand for other parties' systems (an access point, a provider): their tasks can go to a
# queue of their own, run by a worker of their own (compose.yaml's "simulators" profile, bench/), so that
# they neither need the simulator apps on the portal's workers nor queue in front of the portal's tasks.
OOTS_SIMULATOR_QUEUE = env_str("OOTS_SIMULATOR_QUEUE", "celery")
CELERY_TASK_ROUTES = ("portal.celery.route_task",)
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Fallback for lost push notifications: fetch what the access point holds for us.
    "poll-access-point": {
        "task": "exchanges.tasks.poll_access_point",
        "schedule": float(env_int("OOTS_POLL_INTERVAL_SECONDS", 30)),
    },
    # Time out exchanges past their deadline; resend requests whose retry time came or whose worker died.
    "sweep-exchanges": {"task": "exchanges.tasks.sweep_exchanges", "schedule": 60.0},
    # Data protection: exchange log kept 12 months (IR 2022/1463 art. 17), evidence per retention setting.
    "purge-expired-data": {"task": "procedures.tasks.purge_expired_data", "schedule": 24 * 3600.0},
    # Expired sessions (Django's clearsessions): the database keeps none past SESSION_COOKIE_AGE plus a day.
    "purge-expired-sessions": {"task": "accounts.tasks.purge_expired_sessions", "schedule": 24 * 3600.0},
    # Ask the access point about requests with no receipt yet (a send failure reaches the user in ~1 min).
    "check-sent-messages": {
        "task": "exchanges.tasks.check_sent_messages",
        "schedule": max(5.0, env_int("OOTS_SEND_STATUS_AFTER_SECONDS", 30) / 2),
    },
    # Email the citizens whose evidence arrived (or failed) after they left the status page (issue 15).
    "notify-ended-exchanges": {"task": "procedures.tasks.notify_ended_exchanges", "schedule": 60.0},
    # Evidence files that no row references (a worker killed between writing a file and committing).
    "remove-orphaned-files": {"task": "exchanges.tasks.remove_orphaned_files", "schedule": 24 * 3600.0},
    # Back-office deliveries whose task was lost (registrations.tasks): queued again, claimed once.
    "sweep-deliveries": {"task": "registrations.tasks.sweep_deliveries", "schedule": 60.0},
}
if OOTS_SIMULATORS:
    # The access-point simulator's own recovery: deliveries and pushes whose task was lost.
    CELERY_BEAT_SCHEDULE["sweep-access-point-simulator"] = {
        "task": "simulators.access_point.tasks.sweep_lost_work",
        "schedule": 60.0,
    }
    # Its envelope files that no message references any more.
    CELERY_BEAT_SCHEDULE["remove-orphaned-simulator-files"] = {
        "task": "simulators.access_point.tasks.remove_orphaned_envelopes",
        "schedule": 24 * 3600.0,
    }
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Email to applicants (procedures.notify) ---------------------------------------------------------
# The SMTP server through which the portal tells applicants about their evidence and case status.
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 25),
            "username": env_str("EMAIL_HOST_USER", ""),
            "password": env_str("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "timeout": env_int("EMAIL_TIMEOUT", 20),
        },
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "OOTS portal <no-reply@localhost>")

# --- Authentication -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "procedures:home"
LOGOUT_REDIRECT_URL = "procedures:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- eIDAS ---------------------------------------------------------------------------------------
# The SAML service provider that logs citizens in through their national eIDAS node (accounts/eidas/,
# README "eIDAS login"). With no node configured and the simulators on, it trusts the test IdP under
# /sim/eidas/, and the SP's demo keys are generated into VAR_DIR on first use.
EIDAS_IDP_METADATA = env_str("EIDAS_IDP_METADATA", "")  # a file path or an http(s) URL
EIDAS_IDP_METADATA_CERT = env_str("EIDAS_IDP_METADATA_CERT", "")  # PEM file: verify the metadata signature
EIDAS_USE_TEST_IDP = not EIDAS_IDP_METADATA and OOTS_SIMULATORS
EIDAS_ENABLED = bool(EIDAS_IDP_METADATA) or EIDAS_USE_TEST_IDP
EIDAS_SP_CERT = env_str("EIDAS_SP_CERT", str(VAR_DIR / "eidas-sp" / "sp-cert.pem"))
EIDAS_SP_KEY = env_str("EIDAS_SP_KEY", str(VAR_DIR / "eidas-sp" / "sp-key.pem"))
# How the AuthnRequests and the SP metadata are signed (the eIDAS cryptographic requirements exclude RSA
# PKCS#1 v1.5): "rsa-pss" (RSASSA-PSS SHA-256/MGF1 with the RSA pair above, which also decrypts assertions)
# or "ecdsa" (ECDSA SHA-256 with the EC pair below). docs/operations.md "eIDAS node".
EIDAS_SP_SIGNATURE_ALGORITHM = env_str("EIDAS_SP_SIGNATURE_ALGORITHM", "rsa-pss")
if EIDAS_SP_SIGNATURE_ALGORITHM not in {"rsa-pss", "ecdsa"}:
    raise ImproperlyConfigured("EIDAS_SP_SIGNATURE_ALGORITHM must be 'rsa-pss' or 'ecdsa'")
EIDAS_SP_EC_CERT = env_str("EIDAS_SP_EC_CERT", str(VAR_DIR / "eidas-sp" / "sp-ec-cert.pem"))
EIDAS_SP_EC_KEY = env_str("EIDAS_SP_EC_KEY", str(VAR_DIR / "eidas-sp" / "sp-ec-key.pem"))
# The binding of the AuthnRequest: "post" (an enveloped XML signature) or "redirect" (SigAlg/Signature in the
# query); the node's metadata must offer a SingleSignOnService for it.
EIDAS_AUTHN_REQUEST_BINDING = env_str("EIDAS_AUTHN_REQUEST_BINDING", "post")
if EIDAS_AUTHN_REQUEST_BINDING not in {"post", "redirect"}:
    raise ImproperlyConfigured("EIDAS_AUTHN_REQUEST_BINDING must be 'post' or 'redirect'")
# Generating keys is only acceptable for the demo: a production SP whose key file is missing must
# fail loudly, not quietly present a fresh key that the eIDAS node does not know.
EIDAS_SP_GENERATE_KEYS = env_bool("EIDAS_SP_GENERATE_KEYS", DEBUG or OOTS_SIMULATORS)
EIDAS_SP_ENTITY_ID = env_str("EIDAS_SP_ENTITY_ID", "")  # empty: the SP metadata URL
EIDAS_SP_TYPE = env_str("EIDAS_SP_TYPE", "public")
if EIDAS_SP_TYPE not in {"public", "private"}:
    raise ImproperlyConfigured("EIDAS_SP_TYPE must be 'public' or 'private'")
# eIDAS friendly names; a trailing "!" sends isRequired="true". The default asks for every attribute of the
# eIDAS SAML Attribute Profile v1.2 the EDM can carry; the natural-person attributes of its later versions
# (Nationality, CountryOfBirth, TownOfBirth, CountryOfResidence, PhoneNumber, EmailAddress) only for a node
# that knows them. The representative's attributes are never requested (TDD 2.3): a node adds them.
EIDAS_REQUESTED_ATTRIBUTES = env_list(
    "EIDAS_REQUESTED_ATTRIBUTES",
    [
        "PersonIdentifier!",
        "FamilyName!",
        "FirstName!",
        "DateOfBirth!",
        "BirthName",
        "PlaceOfBirth",
        "CurrentAddress",
        "Gender",
        "LegalPersonIdentifier",
        "LegalName",
        "LegalAddress",
        "VATRegistration",
        "TaxReference",
        "D-2012-17-EUIdentifier",
        "LEI",
        "EORI",
        "SEED",
        "SIC",
    ],
)
EIDAS_DEFAULT_LOA = env_str("EIDAS_DEFAULT_LOA", "substantial")
if EIDAS_DEFAULT_LOA not in {"low", "substantial", "high"}:
    raise ImproperlyConfigured("EIDAS_DEFAULT_LOA must be low, substantial or high")
EIDAS_WANT_ASSERTIONS_ENCRYPTED = env_bool("EIDAS_WANT_ASSERTIONS_ENCRYPTED", False)
EIDAS_WANT_RESPONSE_SIGNED = env_bool("EIDAS_WANT_RESPONSE_SIGNED", True)
EIDAS_METADATA_VALIDITY_HOURS = env_int("EIDAS_METADATA_VALIDITY_HOURS", 48)
EIDAS_IDP_METADATA_CACHE_SECONDS = env_int("EIDAS_IDP_METADATA_CACHE_SECONDS", 3600)
SOCIALACCOUNT_ONLY = True  # no local passwords for citizens: allauth's account pages stay off
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_ADAPTER = "accounts.eidas.adapter.EidasSocialAccountAdapter"
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*"]
SOCIALACCOUNT_PROVIDERS = {
    "saml": {
        # Our subclass of allauth's SAML provider: eIDAS AuthnRequest, checks and attribute mapping.
        "provider_class": "accounts.eidas.provider.EidasProvider",
        "APPS": [{"client_id": "eidas", "name": "eIDAS", "settings": {}}] if EIDAS_ENABLED else [],
    }
}
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out user and address before any check
    "django.contrib.auth.backends.ModelBackend",  # procedure owners in the admin
    "allauth.account.auth_backends.AuthenticationBackend",  # citizens through eIDAS
]

# --- Staff logins ---------------------------------------------------------------------------------
# Admin logins (procedure owners, operators): locked out per user *and* address after this many failures
# (django-axes), for this many minutes; each lockout is logged
# (accounts.lockout).
# Per user and address together, so that nobody can lock a procedure owner out from elsewhere.
AXES_FAILURE_LIMIT = env_int("OOTS_ADMIN_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("OOTS_ADMIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Failed attempts are rows (AccessAttempt, visible and deletable in the admin to unlock someone), deleted
# once past the cool-off; successful logins are not recorded (no access log of who logged in from where).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_DISABLE_ACCESS_LOG = True
AXES_CLIENT_IP_CALLABLE = "accounts.client_address.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False  # accounts.lockout logs the lockout itself, without axes' per-attempt lines
# Staff must confirm each admin login with a code from an authenticator app (TOTP, django-otp); devices
# are enrolled with "manage.py staff_totp_enrol USER". On by default unless DEBUG.
OOTS_STAFF_OTP_REQUIRED = env_bool("OOTS_STAFF_OTP_REQUIRED", not DEBUG)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "OOTS portal")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Reverse proxies in front of the portal that append the client's address to X-Forwarded-For: the
# rate limits and lockouts count that address (accounts.client_address). 0: REMOTE_ADDR.
OOTS_TRUSTED_PROXY_COUNT = env_int(
    "OOTS_TRUSTED_PROXY_COUNT", 1 if env_bool("SECURE_PROXY_SSL_HEADER", False) else 0
)
# eIDAS logins started (and answers posted to the ACS) per address and window: each start keeps a
# session row, so this bounds what one client can make the portal store. 0: no limit.
OOTS_LOGIN_RATE_LIMIT = env_int("OOTS_LOGIN_RATE_LIMIT", 30)
OOTS_LOGIN_RATE_WINDOW_SECONDS = env_int("OOTS_LOGIN_RATE_WINDOW_SECONDS", 600)

# --- Internationalisation ------------------------------------------------------------------------
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en")
# The portal's languages: its interface and the owners' content (procedure names, form labels, help texts,
# choices). The first is the language content falls back to. A language added here needs its catalogue in
# locale/ and, on an existing database, `manage.py sync_translation_fields` (docs/authoring.md).
OOTS_LANGUAGES = env_list("OOTS_LANGUAGES", ["en", "fr", "de"])
_LANGUAGE_NAMES = {"en": _("English"), "fr": _("French"), "de": _("German")}
LANGUAGES = [
    (code, _LANGUAGE_NAMES[code] if code in _LANGUAGE_NAMES else LANG_INFO.get(code, {}).get("name", code))
    for code in OOTS_LANGUAGES
]
if LANGUAGE_CODE not in OOTS_LANGUAGES:
    raise ImproperlyConfigured(
        f"LANGUAGE_CODE {LANGUAGE_CODE!r} is not one of OOTS_LANGUAGES {OOTS_LANGUAGES}"
    )
MODELTRANSLATION_LANGUAGES = tuple(OOTS_LANGUAGES)
MODELTRANSLATION_DEFAULT_LANGUAGE = OOTS_LANGUAGES[0]
# Content not yet translated shows in the first language rather than blank.
MODELTRANSLATION_FALLBACK_LANGUAGES = (OOTS_LANGUAGES[0],)
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Brussels")
USE_I18N = True
USE_TZ = True
# English dates day first with a 24-hour clock (portal/formats/en); French and German as Django has them.
FORMAT_MODULE_PATH = ["portal.formats"]

# --- Static and uploaded files ---------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"  # never served publicly: files are streamed by views that check ownership
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
OOTS_UPLOAD_MAX_BYTES = env_int("OOTS_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
# TrueType fonts embedded (as subsets) in the receipt PDF; Debian's fonts-dejavu-core. Missing: Helvetica,
# which prints characters outside Windows-1252 as "?" (a warning is logged).
OOTS_RECEIPT_FONT = env_str("OOTS_RECEIPT_FONT", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
OOTS_RECEIPT_FONT_BOLD = env_str(
    "OOTS_RECEIPT_FONT_BOLD", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
)
# Where those fonts, reduced to the EU's scripts, are prepared once per deployment (manage.py
# prepare_receipt_font; otherwise by the first receipt).
OOTS_RECEIPT_FONT_DIR = Path(env_str("OOTS_RECEIPT_FONT_DIR", str(VAR_DIR / "receipt-fonts")))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Security -----------------------------------------------------------------------------------------
# Sessions read from the cache (Redis in production) and written through to the database: one query less
# on every page, and nothing lost when the cache is flushed.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 2)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# A deliberate exception to a check of portal/checks.py (ids oots.E001…) for a deployment that needs it,
# e.g. a test environment with the simulators and DEBUG off: named here, it no longer stops the servers.
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS", [])
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# The "preload" directive only allows a later submission to the browsers' preload list (a deliberate step).
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (Django's own middleware): no inline script or style anywhere; scripts and styles
# are files under /static/. Frames only from this portal (the inline PDF viewer of received evidence), and
# no page may be framed at all, except the evidence file that viewer shows (procedures.downloads).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.SELF],
    "frame-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
}

# --- OOTS ------------------------------------------------------------------------------------------
# The official Schematron ships inside oots_client; OOTS_SPEC_DIR optionally names a folder whose
# schematron/<version folder>/ holds newer official rules to run instead. A folder that is named but
# holds no rules is a configuration error, found at start-up rather than at the first message.
_spec_dir = env_str("OOTS_SPEC_DIR", "")
OOTS_SPEC_DIR: Path | None = Path(_spec_dir) if _spec_dir else None
if OOTS_SPEC_DIR is not None and not (OOTS_SPEC_DIR / "schematron").is_dir():
    raise ImproperlyConfigured(f"OOTS_SPEC_DIR={OOTS_SPEC_DIR} has no schematron/ folder")
# The Evidence Requester's own identity and jurisdiction: the defaults given to the procedures
# when they are created, editable per procedure in the admin.
OOTS_PORTAL_COUNTRY = env_str("OOTS_PORTAL_COUNTRY", "BE").upper()
OOTS_REQUESTER_ID = env_str("OOTS_REQUESTER_ID", "0000000000")
OOTS_REQUESTER_SCHEME = env_str("OOTS_REQUESTER_SCHEME", "urn:cef.eu:names:identifier:EAS:9925")
OOTS_REQUESTER_NAME = env_str("OOTS_REQUESTER_NAME", "Demo Evidence Requester")
# Whether the law of the portal's Member State lets the user preview evidence (SDGR art. 14(3)(f)).
OOTS_POSSIBILITY_FOR_PREVIEW = env_bool("OOTS_POSSIBILITY_FOR_PREVIEW", True)
OOTS_HEALTH_BROKER_TIMEOUT = env_int("OOTS_HEALTH_BROKER_TIMEOUT", 2)
OOTS_HEALTH_REMOTE_CACHE_SECONDS = env_int("OOTS_HEALTH_REMOTE_CACHE_SECONDS", 30)

# --- Addresses -------------------------------------------------------------------------------------
# Preview and return addresses must be https (DIGEST §10); plain http to this machine's loopback is only
# accepted for a demo or test set-up on one machine (exchanges.locations). Refused when DEBUG is off.
OOTS_PREVIEW_ALLOW_LOOPBACK_HTTP = env_bool("OOTS_PREVIEW_ALLOW_LOOPBACK_HTTP", DEBUG or OOTS_SIMULATORS)
# The portal's own address, as its callers reach it (the access-point simulator pushes to it).
OOTS_PUBLIC_BASE_URL = env_str("OOTS_PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Where the simulators are served: by this portal itself by default (make demo), or by a server of their
# own (bench/journey.py), as the remote parties they stand for would be.
OOTS_SIMULATOR_BASE_URL = env_str("OOTS_SIMULATOR_BASE_URL", OOTS_PUBLIC_BASE_URL).rstrip("/")

# --- Back-office delivery (registrations/, docs/operations.md "Back-office delivery") ---------------
# Webhooks post to https only; plain http to this machine's loopback for a demo or tests (refused with
# DEBUG off by portal.checks).
OOTS_BACKOFFICE_ALLOW_LOOPBACK_HTTP = env_bool("OOTS_BACKOFFICE_ALLOW_LOOPBACK_HTTP", DEBUG)
# How long the signed file links of a webhook or API document stay valid.
OOTS_BACKOFFICE_LINK_SECONDS = env_int("OOTS_BACKOFFICE_LINK_SECONDS", 3600)
# Retries of a failed email or webhook: capped exponential backoff, then "failed" (the admin's "deliver
# again" starts over).
OOTS_BACKOFFICE_MAX_ATTEMPTS = env_int("OOTS_BACKOFFICE_MAX_ATTEMPTS", 12)
OOTS_BACKOFFICE_BACKOFF_BASE_SECONDS = env_int("OOTS_BACKOFFICE_BACKOFF_BASE_SECONDS", 30)
OOTS_BACKOFFICE_BACKOFF_CAP_SECONDS = env_int("OOTS_BACKOFFICE_BACKOFF_CAP_SECONDS", 3600)
OOTS_BACKOFFICE_WEBHOOK_TIMEOUT = env_int("OOTS_BACKOFFICE_WEBHOOK_TIMEOUT", 20)
# An application whose files weigh more is not emailed (the delivery fails: use a webhook or the API).
OOTS_BACKOFFICE_EMAIL_MAX_BYTES = env_int("OOTS_BACKOFFICE_EMAIL_MAX_BYTES", 20 * 1024 * 1024)
# The SMTP server (MAILERS) and DEFAULT_FROM_EMAIL: under "Email to applicants" above.

# --- Access point and exchanges --------------------------------------------------------------------
# The EDM versions in the order this portal prefers them when a provider's access service declares several
# in the Data Service Directory (its ConformsTo); a provider is asked in the first of these it speaks, one
# speaking none of them cannot be asked (docs/adr/0008-edm-version-choice.md). Names as v1.2 or oots-edm:v1.2.
OOTS_EDM_VERSION_PREFERENCE = env_list("OOTS_EDM_VERSION_PREFERENCE", ["v1.2", "v2.0", "v1.1", "v1.0"])
try:
    OOTS_EDM_VERSION_PREFERENCE = [get_version(name).identifier for name in OOTS_EDM_VERSION_PREFERENCE]
except UnsupportedVersionError as exc:
    raise ImproperlyConfigured(f"OOTS_EDM_VERSION_PREFERENCE: {exc}") from exc
if not OOTS_EDM_VERSION_PREFERENCE:
    raise ImproperlyConfigured("OOTS_EDM_VERSION_PREFERENCE names no EDM version: no provider could be asked")
# The Domibus 5 default WS plugin of this portal's access point (C2), and the plugin user.
OOTS_AP_URL = env_str(
    "OOTS_AP_URL", f"{OOTS_SIMULATOR_BASE_URL}/sim/ap/services/wsplugin" if OOTS_SIMULATORS else ""
)
OOTS_AP_USERNAME = env_str("OOTS_AP_USERNAME", "portal" if OOTS_SIMULATORS else "")
OOTS_AP_PASSWORD = env_str("OOTS_AP_PASSWORD", demo_secrets.AP_PASSWORD if OOTS_SIMULATORS else "")
OOTS_AP_VERIFY_TLS = env_bool("OOTS_AP_VERIFY_TLS", True)
OOTS_AP_TIMEOUT = env_int("OOTS_AP_TIMEOUT", 30)
# This portal's access point as the ebMS From party (C2), as declared in the PModes.
OOTS_AP_PARTY_ID = env_str("OOTS_AP_PARTY_ID", f"AP_{OOTS_PORTAL_COUNTRY}_01")
OOTS_AP_PARTY_TYPE = env_str("OOTS_AP_PARTY_TYPE", "urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots")
# HTTP Basic credentials Domibus must present when it pushes notifications to /oots/backend/.
OOTS_BACKEND_USERNAME = env_str("OOTS_BACKEND_USERNAME", "domibus" if OOTS_SIMULATORS else "")
OOTS_BACKEND_PASSWORD = env_str(
    "OOTS_BACKEND_PASSWORD", demo_secrets.BACKEND_PASSWORD if OOTS_SIMULATORS else ""
)
# How long a provider may take to answer before the exchange times out visibly.
OOTS_EXCHANGE_TIMEOUT_SECONDS = env_int("OOTS_EXCHANGE_TIMEOUT_SECONDS", 15 * 60)
OOTS_SEND_MAX_ATTEMPTS = env_int("OOTS_SEND_MAX_ATTEMPTS", 8)
OOTS_SEND_BACKOFF_CAP_SECONDS = env_int("OOTS_SEND_BACKOFF_CAP_SECONDS", 300)
OOTS_EXCHANGE_LOG_RETENTION_DAYS = env_int("OOTS_EXCHANGE_LOG_RETENTION_DAYS", 365)  # IR 2022/1463 art. 17
# The key of the subjects' pseudonymous references in the audit trail (HMAC-SHA-256 of the eIDAS identifier,
# docs/audit.md). Secret, at least 32 characters, never changed: a new key gives everyone new references.
OOTS_AUDIT_SUBJECT_KEY = env_str(
    "OOTS_AUDIT_SUBJECT_KEY", demo_secrets.AUDIT_SUBJECT_KEY if DEBUG or OOTS_SIMULATORS else ""
)
OOTS_EVIDENCE_RETENTION_DAYS = env_int("OOTS_EVIDENCE_RETENTION_DAYS", 90)
# A draft untouched this long is deleted with its uploads, exchanges and evidence (purge_expired_data).
OOTS_DRAFT_RETENTION_DAYS = env_int("OOTS_DRAFT_RETENTION_DAYS", 30)
OOTS_POLL_INTERVAL_SECONDS = env_int("OOTS_POLL_INTERVAL_SECONDS", 30)
# A send or receive claimed longer ago than this belongs to a worker that died: another takes it over.
# Longer than the access point's timeout, so a slow but living worker is never doubled.
OOTS_SEND_CLAIM_TIMEOUT = env_int("OOTS_SEND_CLAIM_TIMEOUT", 2 * OOTS_AP_TIMEOUT)
# A request the access point accepted with no receipt (sendSuccess) after this long is asked about
# (getStatus, getMessageErrors), then again with a doubling delay: a request that cannot be delivered fails
# its exchange in about a minute when Domibus's push is off or lost (docs/exchanges.md).
OOTS_SEND_STATUS_AFTER_SECONDS = env_int("OOTS_SEND_STATUS_AFTER_SECONDS", 30)
# The largest evidence file accepted from a provider (bytes); a larger one refuses the whole answer.
OOTS_EVIDENCE_MAX_BYTES = env_int("OOTS_EVIDENCE_MAX_BYTES", 40 * 1024 * 1024)
# What business-rule findings (official Schematron, code lists, the project's own rules) do to an incoming
# answer: "report" (recorded in the exchange log, the answer used) or "refuse". XSD and structural errors
# always refuse. "report" by default: the official Schematron here is the April-2023 EDM 1.0 one, whose
# rules later patches changed (DIGEST §0), and every check that ties an answer to its request (ids, sender,
# provider, subject, evidence type, files) refuses whatever this says (docs/exchanges.md).
OOTS_INCOMING_SCHEMATRON = env_str("OOTS_INCOMING_SCHEMATRON", "report").lower()
if OOTS_INCOMING_SCHEMATRON not in ("report", "refuse"):
    raise ImproperlyConfigured("OOTS_INCOMING_SCHEMATRON must be 'report' or 'refuse'")
# An incoming message whose processing failed this many times (an unexpected error each time) is refused.
OOTS_INCOMING_MAX_ATTEMPTS = env_int("OOTS_INCOMING_MAX_ATTEMPTS", 5)
# How many times in an hour a failed exchange may be requested again (each retry is a new cross-border
# request to the provider).
OOTS_EXCHANGE_RETRIES_PER_HOUR = env_int("OOTS_EXCHANGE_RETRIES_PER_HOUR", 3)

# --- Access-point and provider simulators ---------------------------------------------------------
# Only used when OOTS_SIMULATORS is on (docs/simulators.md). The access-point simulator pushes answers
# to the portal's BackendService at this URL, with OOTS_BACKEND_USERNAME/PASSWORD; with push off the
# portal must poll (listPendingMessages). Testers can also switch push at run time (/sim/ap/control).
OOTS_AP_SIM_PUSH = env_bool("OOTS_AP_SIM_PUSH", True)
OOTS_AP_SIM_BACKEND_URL = env_str("OOTS_AP_SIM_BACKEND_URL", f"{OOTS_PUBLIC_BASE_URL}/oots/backend/")
# A push the portal did not take (down, 5xx) is retried with capped, jittered exponential backoff.
OOTS_AP_SIM_PUSH_MAX_ATTEMPTS = env_int("OOTS_AP_SIM_PUSH_MAX_ATTEMPTS", 10)
OOTS_AP_SIM_PUSH_BACKOFF_SECONDS = env_int("OOTS_AP_SIM_PUSH_BACKOFF_SECONDS", 2)
OOTS_AP_SIM_PUSH_BACKOFF_CAP_SECONDS = env_int("OOTS_AP_SIM_PUSH_BACKOFF_CAP_SECONDS", 120)
# A delivery or push whose task was lost (broker restarted, worker killed) is sent again by the
# simulator's sweep once it is this late.
OOTS_AP_SIM_SWEEP_GRACE_SECONDS = env_int("OOTS_AP_SIM_SWEEP_GRACE_SECONDS", 60)
# The provider simulator's scenario when nothing selects one, and how long "unavailable" lasts.
OOTS_EP_SIM_DEFAULT_SCENARIO = env_str("OOTS_EP_SIM_DEFAULT_SCENARIO", "immediate")
OOTS_EP_SIM_UNAVAILABLE_SECONDS = env_int("OOTS_EP_SIM_UNAVAILABLE_SECONDS", 10)
# The size of the simulator's main PDF evidence in bytes (padded with random bytes; 0: its natural ~1 KB).
# For benchmarks (bench/exchange.py) and upload-size tests.
OOTS_EP_SIM_EVIDENCE_BYTES = env_int("OOTS_EP_SIM_EVIDENCE_BYTES", 0)

# --- Common Services ---------------------------------------------------------------------------------
# Evidence Broker and Data Service Directory (README "Common Services"). Queries go to BASE/rest/search. With
# the simulators on, both default to the Common Services simulator at OOTS_SIMULATOR_BASE_URL.
OOTS_CS_EB_URL = env_str("OOTS_CS_EB_URL", f"{OOTS_SIMULATOR_BASE_URL}/sim/cs/eb" if OOTS_SIMULATORS else "")
OOTS_CS_DSD_URL = env_str(
    "OOTS_CS_DSD_URL", f"{OOTS_SIMULATOR_BASE_URL}/sim/cs/dsd" if OOTS_SIMULATORS else ""
)
# Without a fixed URL, each query goes to the instance that the DNS NAPTR record of its country names (TDD
# chapter 3.4; docs/operations.md "Common Services"): acc | prod, or "" for no discovery.
OOTS_CS_DISCOVERY_ENVIRONMENT = env_str("OOTS_CS_DISCOVERY_ENVIRONMENT", "")
if OOTS_CS_DISCOVERY_ENVIRONMENT and not OOTS_CS_DISCOVERY_ENVIRONMENT.replace("-", "").isalnum():
    raise ImproperlyConfigured("OOTS_CS_DISCOVERY_ENVIRONMENT must be a DNS label such as acc or prod")
OOTS_CS_DISCOVERY_NAME = env_str(
    "OOTS_CS_DISCOVERY_NAME", "{country}.{service}.v1.cs.{environment}.oots.tech.ec.europa.eu"
)
OOTS_CS_DISCOVERY_SERVICE = env_str("OOTS_CS_DISCOVERY_SERVICE", "")  # NAPTR service field; "" takes any
OOTS_CS_DNS_SERVERS = env_list("OOTS_CS_DNS_SERVERS", [])  # ip[:port]; empty: the system resolver
OOTS_CS_DISCOVERY_ALLOW_HTTP = env_bool("OOTS_CS_DISCOVERY_ALLOW_HTTP", False)  # test set-ups only
OOTS_CS_API_VERSION = env_str("OOTS_CS_API_VERSION", "2.0")  # 1.0 | 1.1 | 1.2 | 2.0
OOTS_CS_SIGNATURE_MODE = env_str("OOTS_CS_SIGNATURE_MODE", "required")  # off | warn | required (API 2.0)
# PEM/DER files of the trust anchors (the Commission's root CA) the API 2.0 answers' signing certificate
# must chain to (validity, key usage, path length are checked). With the simulators on, the simulator's
# demo root CA (generated in VAR_DIR at first use) is trusted too.
OOTS_CS_TRUSTED_CERTS = env_list("OOTS_CS_TRUSTED_CERTS", [])
OOTS_CS_CACHE_TTL = env_int("OOTS_CS_CACHE_TTL", 3600)
OOTS_CS_TIMEOUT = env_int("OOTS_CS_TIMEOUT", 10)
OOTS_CS_RETRIES = env_int("OOTS_CS_RETRIES", 3)

# "json" (one object per line, with the exchange ids as fields) for log collectors; "plain" for people.
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "portal.logging.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # pysaml2 (the eIDAS test IdP simulator) logs whole SAML messages, the citizen's identity in them,
        # at DEBUG: never below WARNING, whatever LOG_LEVEL says (tests/security/test_data_protection.py).
        "saml2": {"level": "WARNING"},
        # fontTools' subsetter (preparing the receipt's fonts, in a web process too) lists each glyph at INFO.
        "fontTools": {"level": "WARNING"},
    },
}
