"""The tijdlijn of a case: one line per thing that happened, written by every domain that changes a case.

A base package (it imports no domain): cases, plans, meetings, escalations, voordrachten, approvals and signals
all write to it through :func:`casus.timeline.services.add_timeline`; ``policy.timeline_scope`` decides who
reads which line.
"""
