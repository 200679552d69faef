"""Who am I: the signed-in user or the token's owner."""

from marshmallow import Schema, fields

from app.api.base import actor, api_blueprint

blp = api_blueprint("me", __name__, "/me", "The authenticated user.")


class UserSchema(Schema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True)


@blp.route("")
@blp.response(200, UserSchema)
def me():
    """The user this request is authenticated as."""
    return actor()
