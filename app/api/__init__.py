"""The /api/v1 JSON API. Areas build their blueprints with `app.api.base`; the application
factory hands them to `init_api`, so this package never imports the areas that use it."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask

from app.api.base import SPEC_DESCRIPTION, ApiBlueprint, LockstepApi
from app.core.converters import IdConverter, id_parameter_schema


def init_api(app: Flask, blueprints: Iterable[ApiBlueprint]) -> None:
    app.config.setdefault("API_SPEC_OPTIONS", {
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearerAuth": []}],
    })
    # One Api per app: its OpenAPI spec is built from the blueprints registered on it.
    api = LockstepApi(app, spec_kwargs={"info": {"description": SPEC_DESCRIPTION}})
    api.register_converter(IdConverter, id_parameter_schema)
    for blp in blueprints:
        api.register_blueprint(blp)
