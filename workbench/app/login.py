"""Log in: the only page a team-mode session can reach until it signs in with a password."""

from __future__ import annotations

from workbench.app import access

access.login_form()
