"""Betrokkenen: the persons, addresses and businesses that signals and cases are about."""
