"""Organisations (ketenpartners) and teams (the municipal/ZVH units that own cases)."""
