"""Users, their roles, server-side login sessions and API tokens."""
