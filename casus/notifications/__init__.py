"""Notifications (meldingen): in-app messages and the e-mail that announces them.

A job records a notification under a unique key *before* anything is sent; the e-mail step picks up
notifications whose e-mail is due (``next_attempt_at``) after the job's commit. See docs/OPERATIONS.md.
"""
