"""Entry point for production servers: gunicorn wsgi:app."""
from werkzeug.middleware.proxy_fix import ProxyFix

from config import ProductionConfig
from consortium import create_app

app = create_app(ProductionConfig)
# The HTTPS-terminating proxy in front says which scheme and host the visitor used.
app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
