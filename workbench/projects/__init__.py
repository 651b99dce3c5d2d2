"""Projects: several desks on one server, each with its documents, settings, verdict scale,
guidelines and members (issue 14).

- ``scale``: a project's verdict scale (ordered, best first) and its checks;
- ``service``: add, find, list, change a project; which project a command or page means;
- ``membership``: who belongs to which project, with which role.
"""
