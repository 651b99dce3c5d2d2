"""Webhooks: who is told about what (``service``), where a request may go (``targets``), how
a body is signed (``signing``) and the worker that sends the outbox's events (``deliver``).

The events themselves are written by the services that make the changes, through
``workbench.outbox``; nothing in ``review/`` or ``ingest/`` imports this package."""
