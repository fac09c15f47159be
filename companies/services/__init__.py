"""Writes for firms and contacts. Every function is atomic and records its audit entries."""
