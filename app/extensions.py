"""Flask extensions, created unbound and initialised in the application factory."""

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect

from app.core.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# Talisman keeps its settings on the instance, so each app gets its own (see create_app); this
# unbound one only makes per-view decorators, which carry their options on the view function.
talisman = Talisman()
