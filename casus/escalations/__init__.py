"""Escalation ladder (DESIGN §3.2): opschalen/afschalen of a case, orthogonal to its phase."""
