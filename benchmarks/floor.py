"""The floor: a bare Flask app with one endpoint returning a small HTML string, served exactly like Casus.

Its throughput is what gunicorn, the WSGI stack and the load clients cost on this machine; every endpoint of
Casus is reported as a ratio to it.
"""

from flask import Flask

app = Flask(__name__)

PAGE = ("<!doctype html><html lang=\"nl\"><head><meta charset=\"utf-8\"><title>Vloer</title></head>"
        "<body><main><h1>Vloer</h1><p>Een kale Flask-pagina.</p></main></body></html>")


@app.get("/")
def index():
    return PAGE
