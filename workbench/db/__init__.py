"""Storage: typed SQLAlchemy tables, the engine, and Alembic migrations."""
