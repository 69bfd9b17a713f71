"""The scheduler (docs/DESIGN.md §5): one APScheduler process per deployment, jobs persisted in the database.

``jobs.py`` is the registry (name → function and cron schedule), ``runner.py`` builds and runs the
scheduler and the ``casus scheduler`` command, ``locks.py`` makes sure only one runs. See docs/OPERATIONS.md.
"""
