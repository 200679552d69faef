"""Forks: a rep's private, tailored copy of a published asset, and suggestions back to marketing."""
