"""Moving annotations between databases: reviews in (``workbench import``)."""

from workbench.transfer.import_records import ImportRecord, read_records
from workbench.transfer.import_reviews import (
    ImportConflict,
    ImportReport,
    UnmatchedLine,
    import_reviews,
)

__all__ = [
    "ImportConflict",
    "ImportRecord",
    "ImportReport",
    "UnmatchedLine",
    "import_reviews",
    "read_records",
]
