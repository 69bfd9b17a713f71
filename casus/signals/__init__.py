"""Signalen (meldingen): reports from partners, bundled into cases by a procesregisseur."""
