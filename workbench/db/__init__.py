"""Storage: typed SQLAlchemy tables, the engine, and Alembic migrations."""

# The API's tables live beside models.py (at its size limit); importing them here puts them
# on Base.metadata whatever part of the package is imported first.
from workbench.db import api_tables as api_tables

# The webhook tables live beside models.py on the same Base: imported here so that whatever
# loads a table (Alembic, the tests' schema comparison, a service) has all of them.
from workbench.db import webhook_models as webhook_models
