"""Binds the configured storage backend to the Flask app, with the reference providers that tell
garbage collection which blobs are in use.

Storage knows no assets: each area that stores blobs registers a provider, a callable that
returns every key that area references (the library its versions' files and thumbnails; later
areas their own), and the factory wires them up.
"""

from collections.abc import Callable, Iterable

from flask import Flask, current_app

from app.storage import Storage, build_storage

EXTENSION_KEY = "lockstep.storage"
PROVIDERS_KEY = "lockstep.storage.references"

ReferenceProvider = Callable[[], Iterable[str]]


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = build_storage(app.config)
    app.extensions[PROVIDERS_KEY] = []


def register_reference_provider(app: Flask, provider: ReferenceProvider) -> None:
    app.extensions[PROVIDERS_KEY].append(provider)


def get_storage() -> Storage:
    return current_app.extensions[EXTENSION_KEY]


def referenced_keys() -> set[str]:
    """Every key some area references, asked afresh from each provider."""
    providers = current_app.extensions[PROVIDERS_KEY]
    if not providers:
        # Without providers every blob would look unreferenced: refuse rather than wipe storage.
        raise RuntimeError("no blob reference providers are registered; refusing to collect")
    keys: set[str] = set()
    for provider in providers:
        keys.update(provider())
    return keys
