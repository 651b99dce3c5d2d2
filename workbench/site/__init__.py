"""The review app and the HTTP API in one process (``workbench serve --api``): ``server.py``.

A folder of its own rather than one module at the package's top: Streamlit puts the folder
of the script it runs first on ``sys.path``, and this one holds nothing else to shadow."""
