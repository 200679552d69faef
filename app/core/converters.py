"""URL converters. Ids are bounded so a 40-digit number in a URL is a 404, not a database
overflow."""

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's parameter name
        super().__init__(map, min=1, max=MAX_ID)


def id_parameter_schema(_converter) -> dict:
    return {"type": "integer", "minimum": 1, "maximum": MAX_ID}
