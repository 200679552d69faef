"""Seeded generator for a realistic demo content library (files plus metadata)."""
