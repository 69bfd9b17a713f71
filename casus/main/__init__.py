"""Dashboard, language switch, accessibility statement and health check."""
