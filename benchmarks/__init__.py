"""The performance benchmark (docs/DESIGN.md §8): ``python -m benchmarks`` — see docs/PERFORMANCE.md.

Seeds a fresh database per backend with ``casus seed``, serves the app and a bare Flask floor with gunicorn,
drives both from a separate process with concurrent clients and writes a Markdown table.
"""
