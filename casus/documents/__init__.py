"""Documents in the case file (docs/DESIGN.md, "Documents"): uploads on cases, signals, agenda items and
voordrachten with need-to-know visibility and versions; files scanned, checked by content, encrypted and stored
outside the database by SHA-256 (storage.py), verified on every download."""
