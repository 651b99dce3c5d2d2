"""Helpers shared by the AppTest and browser tests."""

from __future__ import annotations

import dataclasses

from sqlalchemy import Engine
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module
from streamlit.testing.v1.local_script_runner import LocalScriptRunner

# A check-worthy sentence (speaker, number, year) carrying markup that must stay text.
XSS_CLAIM = (
    "Kremlin spokesman Dmitry Peskov said on Monday that 100 troops "
    "<script>alert(1)</script> crossed the border <img src=x onerror=alert(1)> in 2022."
)
XSS_TEXT = f"Border report <b>live</b>\n\n{XSS_CLAIM}\n\nMore later."


def store_xss_document(engine: Engine) -> None:
    from workbench.extract import default_extractor
    from workbench.ingest.store import store_document
    from workbench.schemas import DocumentIn

    stored = store_document(
        engine,
        DocumentIn(text=XSS_TEXT, title="<i>Border</i> report", source="xss.txt"),
        default_extractor(),
    )
    assert stored, "the extractor found no claim in the XSS document"


def sign_in(at: AppTest, name: str = "Ana") -> AppTest:
    """Run the app and enter the reviewer's name in the sidebar form."""
    at.run(timeout=30)
    at.sidebar.text_input(key="reviewer_name_input").input(name)
    at.sidebar.button[0].click()  # the form's "Start reviewing"
    return at.run(timeout=30)


def sidebar_text(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in at.sidebar.markdown) + "\n".join(
        str(t.value) for t in at.sidebar.text
    )


def html_bodies(at: AppTest) -> str:
    return "\n".join(h.value for h in at.html)


# --- fragment reruns --------------------------------------------------------------------------
# AppTest runs the whole script on every run; the browser reruns only the fragment a clicked
# widget sits in. These hand AppTest's runner the fragment's id, as the browser's request does.


class _FragmentRunner(LocalScriptRunner):
    """AppTest's script runner, asked to rerun only the given fragments."""

    fragment_ids: tuple[str, ...] = ()

    def request_rerun(self, rerun_data: RerunData) -> bool:
        ids = list(self.fragment_ids)
        # The runner starts with a pending full-app rerun, which a request is folded into
        # (and a full rerun wins): make that one fragment-scoped too.
        pending = self._requests._rerun_data
        self._requests._rerun_data = dataclasses.replace(pending, fragment_id_queue=ids)
        scoped = dataclasses.replace(rerun_data, fragment_id_queue=ids)
        return bool(super().request_rerun(scoped))


def fragment_run(at: AppTest, fragment: str) -> AppTest:
    """Run only the fragment whose key is ``fragment`` (after a click in it, say).

    The tree AppTest then holds is what that run drew: the fragment's elements, and what it
    wrote into containers outside it; an ``st.rerun(scope="app")`` from it runs the whole
    app, as in the browser.
    """
    ids = at._fragment_storage.resolve_target(fragment)
    assert ids, f"no fragment {fragment!r} was drawn by the last full run"
    _FragmentRunner.fragment_ids = tuple(ids)
    # app_test imports LocalScriptRunner without re-exporting it (hence attr-defined); AppTest
    # looks the name up there when it runs, so that is where the swap has to happen.
    app_test_module.LocalScriptRunner = _FragmentRunner  # type: ignore[attr-defined]
    try:
        return at.run(timeout=30)
    finally:
        app_test_module.LocalScriptRunner = LocalScriptRunner  # type: ignore[attr-defined]
