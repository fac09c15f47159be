"""Timeline sources: see companies.timeline."""
