"""Moving annotations between databases: reviews in (``workbench import``)."""

from workbench.transfer.import_reviews import (
    ImportConflict,
    ImportRecord,
    ImportReport,
    UnmatchedLine,
    import_reviews,
    read_records,
)

__all__ = [
    "ImportConflict",
    "ImportRecord",
    "ImportReport",
    "UnmatchedLine",
    "import_reviews",
    "read_records",
]
