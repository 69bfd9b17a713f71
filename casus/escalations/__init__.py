"""Escalation ladder (docs/DESIGN.md §3.2): opschalen/afschalen of a case, orthogonal to its phase."""
