"""Users, sign-in, roles and API tokens."""
