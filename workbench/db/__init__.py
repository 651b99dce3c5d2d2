"""Storage: typed SQLAlchemy tables, the engine, and Alembic migrations."""

# The webhook tables live beside models.py on the same Base: imported here so that whatever
# loads a table (Alembic, the tests' schema comparison, a service) has all of them.
from workbench.db import webhook_models as webhook_models
