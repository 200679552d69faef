"""Curated, ordered collections of assets ("Healthcare evaluation kit")."""
