"""Login with password and TOTP, server-side sessions, throttling and API bearer tokens."""
