"""Storage: typed SQLAlchemy tables, the engine, and Alembic migrations."""

# The API's tables live beside models.py (at its size limit); importing them here puts them
# on Base.metadata whatever part of the package is imported first.
from workbench.db import api_tables as api_tables
