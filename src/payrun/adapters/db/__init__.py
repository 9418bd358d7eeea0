"""SQLAlchemy store: engine, models, migrations."""
