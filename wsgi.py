"""WSGI entry point for gunicorn: ``gunicorn wsgi:app``."""

from casus import create_app

app = create_app()
