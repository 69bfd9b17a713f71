"""Synthetic Dutch data for the demo, the benchmark and the tests: ``casus seed`` and ``casus demo``.

Tooling beside the application, not part of it: it stands on ``casus`` (its models, services and the workflow's
tables) and ``casus`` never imports it. It needs Faker, which only the ``demo`` extra installs
(``pip install 'casus[demo]'``); a production install carries this package but not Faker, and its commands say so.

Layout (everything invented: Faker ``nl_NL`` names and Dutch phrase lists):

* ``commands`` – the two commands, registered as Flask CLI plugins; imports no Faker.
* ``seed``     – ``seed(cases, seed)``: the region, then the cases in bulk batches; ``skeletons`` decides each case's
  phase and route through the workflow, ``cases`` writes it (with ``subjects``, ``plans``, ``escalations``),
  ``context``/``bulk``/``draws`` are the row buffer, the bulk insert and the random draws, ``texts`` the phrases.
* ``region``   – the organisations, teams and users, the same whatever the seed number.
* ``meetings`` – running meeting series through the meeting services (the demo's).
* ``documents`` – a few dozen documents (generated PDFs and PNGs) in some cases, through the application's storage.
* ``demo``     – the demo's configuration, organisations and one user per role.

Nothing is imported here, so that importing ``casus_seed.commands`` (``casus --help``) imports no Faker.
"""
