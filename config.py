"""Application settings: every secret and URL comes from the environment, completed by one env file.

The env file (KEY=value lines) is what gunicorn, the flask CLI and cron all read, so a command run
from cron works on the same database and mail server as the site. Its path is CONSORTIUM_ENV, by
default instance/consortium.env; a variable set in the environment wins over the file.
"""
import os
import secrets

from dotenv import load_dotenv

ROOT = os.path.dirname(os.path.abspath(__file__))
ENV_FILE = os.environ.get("CONSORTIUM_ENV") or os.path.join(ROOT, "instance", "consortium.env")
# Read before the classes below read the environment.
load_dotenv(ENV_FILE, override=False, interpolate=False)  # values as written: a password may hold "$"


def _database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL", default)
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the driver named.
    if url.startswith(("postgres://", "postgresql://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = None  # set by create_app from DATABASE_URL or the instance folder
    # No ping before each checkout (a round trip on every request, a tenth of a cached page's cost):
    # a connection the database dropped fails its request and the pool is renewed; connections
    # are renewed every five minutes anyway, before a firewall or proxy forgets them.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_recycle": 300}
    BABEL_DEFAULT_LOCALE = "ja"
    BABEL_DEFAULT_TIMEZONE = "Asia/Tokyo"
    LANGUAGES = ("ja", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Failed sign-ins (consortium/accounts/throttle.py): limits per bucket, each wait longer than the last.
    SIGN_IN_LIMITS = {
        "device": "5 per minute;10 per 10 minutes;20 per hour",  # a browser that signed in to the account before
        "address_ip": "5 per minute;10 per 10 minutes;20 per hour",  # this address from this client IP
        "ip": "30 per 10 minutes;100 per day",  # this client IP, whatever the address
        "address": "100 per hour",  # this address from anywhere: many machines against one account
    }
    # Where they are counted: memory here (one process); production requires redis://.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    SIGN_IN_KEY_PREFIX = "consortium-sign-in"
    SIGN_IN_SHARED_STORE = False
    # The API (consortium/api): flask-smorest writes the OpenAPI document from the code's schemas.
    API_TITLE = "Consortium API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.1.0"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    # Requests per token, counted in RATELIMIT_STORAGE_URI like the sign-ins.
    API_TOKEN_LIMITS = "600 per minute;20000 per day"
    API_PER_PAGE = 50  # rows of a list unless the caller asks for up to 200
    # Uploads: materials and roster files. Bytes live in the instance folder, never under static/.
    MAX_CONTENT_LENGTH = 30 * 1024 * 1024
    UPLOAD_MAX_BYTES = 25 * 1024 * 1024
    UPLOAD_FOLDER = None  # default: <instance>/uploads
    # Files (materials, pending imports, cached PDFs and events): local folders, or s3://bucket/prefix
    # (consortium/storage.py), with S3_ENDPOINT_URL for a server other than AWS's.
    STORAGE_URL = os.environ.get("STORAGE_URL")
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL")
    PASSWORD_MIN_LENGTH = 10
    # The CSRF token lives as long as the session: minutes take longer than an hour to write.
    WTF_CSRF_TIME_LIMIT = None
    PER_PAGE = 20
    ROSTER_PER_PAGE = 100
    # Rendered PDFs (議事次第, 議事録, 委員名簿), kept by content; safe to empty at any time.
    PDF_CACHE_FOLDER = None  # default: <instance>/pdf-cache
    # Serialized calendar events, kept by version; safe to empty at any time.
    ICAL_CACHE_FOLDER = None  # default: <instance>/ical-cache
    # The open data's files, built again when the public rows change; safe to empty at any time.
    OPEN_DATA_FOLDER = None  # default: <instance>/open-data
    # `flask caches prune` (daily, from cron) removes cached files unused for this long, then the
    # least recently used until each cache fits its size.
    CACHE_UNUSED_DAYS = 30
    PDF_CACHE_MAX_BYTES = 1024 * 1024 * 1024
    ICAL_CACHE_MAX_BYTES = 256 * 1024 * 1024
    # Outgoing mail: SMTP in production; development writes .eml files to MAIL_OUTBOX_FOLDER.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "") == "1"  # STARTTLS
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "") == "1"  # implicit TLS, port 465
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Consortium <noreply@localhost>")
    MAIL_TIMEOUT = 30
    MAIL_OUTBOX_FOLDER = None  # default: <instance>/outbox
    # The domain in every calendar UID (meeting-12@<domain>). Set it once, to the site's own domain,
    # before feeds go out: calendar apps take a meeting with a new UID for a different meeting.
    CALENDAR_UID_DOMAIN = os.environ.get("CALENDAR_UID_DOMAIN", "consortium.invalid")
    STRICT_TRANSPORT_SECURITY = None  # production only: see ProductionConfig
    # Logs (consortium/logs.py): one JSON object per line with the request id, or Flask's plain text.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    # The job queue (consortium/jobs.py): unset, jobs run at once in the process that asks for them.
    REDIS_URL = os.environ.get("REDIS_URL")
    # The site's address, for links in mails that scheduled jobs send (they have no request to take it from).
    SITE_URL = os.environ.get("SITE_URL")


class ProductionConfig(Config):
    """Secure cookies; create_app refuses to start without SECRET_KEY.

    Behind an HTTPS proxy, wsgi.py trusts one X-Forwarded-Proto hop so cookies stay Secure.
    """

    # Browsers that saw the site once use HTTPS for it for a year; only production is served over HTTPS.
    STRICT_TRANSPORT_SECURITY = "max-age=31536000"
    # Several workers: failed sign-ins are counted in Redis, or each worker would allow its own share.
    SIGN_IN_SHARED_STORE = True


class DevelopmentConfig(Config):
    # A generated key is fine for a local server: sessions just end on restart.
    SECRET_KEY = os.environ.get("SECRET_KEY") or secrets.token_hex(32)
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "outbox")


class TestConfig(DevelopmentConfig):
    TESTING = True
    LOG_FORMAT = "text"  # pytest captures the records themselves
    WTF_CSRF_ENABLED = True


def database_url(instance_path: str) -> str:
    """Return DATABASE_URL, or SQLite in the instance folder."""
    return _database_url(f"sqlite:///{os.path.join(instance_path, 'consortium.sqlite')}")
