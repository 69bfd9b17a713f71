"""Supervisor reports: aggregates only, small counts suppressed, with CSV and XLSX downloads."""
