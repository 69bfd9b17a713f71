"""Nazorg: the check-ins after a case's aanpak ends, recorded as what happened, not only reminded of."""
