"""Binds the configured storage backend to the Flask app."""

from flask import Flask, current_app

from app.storage import Storage, build_storage

EXTENSION_KEY = "lockstep.storage"


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = build_storage(app.config)


def get_storage() -> Storage:
    return current_app.extensions[EXTENSION_KEY]
