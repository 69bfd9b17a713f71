"""Four-eyes approvals: one mechanism for RIEC voordrachten, early closure, reopening and retention extension."""
