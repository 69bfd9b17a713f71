"""Data-subject requests (inzage, rectificatie, wissing, beperking, bezwaar) through one contact point."""
