"""Leefgebieden assessments (ZRM-style): scores per domain at triage, at each evaluation and at closure."""
