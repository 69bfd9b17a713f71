"""The append-only audit log: who did what to which object, when, from where, with what outcome."""
