"""Helpers shared by the AppTest and browser tests."""

from __future__ import annotations

from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

# A check-worthy sentence (speaker, number, year) carrying markup that must stay text.
XSS_CLAIM = (
    "Kremlin spokesman Dmitry Peskov said on Monday that 100 troops "
    "<script>alert(1)</script> crossed the border <img src=x onerror=alert(1)> in 2022."
)
XSS_TEXT = f"Border report <b>live</b>\n\n{XSS_CLAIM}\n\nMore later."


def store_xss_document(engine: Engine) -> None:
    from workbench.extract import default_extractor
    from workbench.ingest.service import store_document
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
    return "\n".join(h.value for h in at.get("html"))
