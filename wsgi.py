"""Entry point for production servers: gunicorn wsgi:app."""
from config import ProductionConfig
from consortium import create_app

app = create_app(ProductionConfig)
