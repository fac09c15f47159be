"""Reads for firms and contacts, narrowed by the row rules in ``companies.permissions``."""
