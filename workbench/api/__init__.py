"""The HTTP JSON API (issue 15): FastAPI routers per resource over the same services as the
app and the command line; errors turned into one JSON shape in one place (``errors.py``)."""
