"""The casus: case file, participations (casusdeelname), notes, timeline and transition history."""
