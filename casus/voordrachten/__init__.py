"""RIEC-voordracht (docs/DESIGN.md §3.3): working an ondermijning signal up into a regional RIEC case."""
