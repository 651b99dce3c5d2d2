"""The app ``workbench api`` serves (uvicorn imports it by name, in each worker)."""

from workbench.api.factory import create_api

app = create_api()
