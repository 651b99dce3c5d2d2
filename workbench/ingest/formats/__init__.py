"""One reader per input format; ``workbench.ingest.readers`` picks the reader by suffix."""
