"""The Queue page's filter boxes list and find the open project's documents and speakers only.

Two desks on one database: ``default`` (health) and ``election``. A reviewer of health must not
see an election document's title or speaker among the options, nor pick one by typing its
title, its id or the speaker's name (the queue would then show nothing, and the box would have
shown another desk's title); without a project (the command line) every desk's are listed.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.review.test_page_queries import assert_indexed, plans
from workbench.auth.policy import SYSTEM
from workbench.db.models import Claim, Document
from workbench.db.session import unit_of_work
from workbench.projects.service import add_project
from workbench.review import options


def _desk(engine: Engine, project_id: int, name: str, speakers: list[str]) -> int:
    """A document of ``project_id`` titled after ``name``, a claim per speaker; its id."""
    with unit_of_work(engine) as session:
        document = Document(
            project_id=project_id,
            title=f"{name} report",
            source=f"{name}.txt",
            text="x" * 1000,
            sha256=f"{project_id:064d}",
        )
        session.add(document)
        session.flush()
        for i, speaker in enumerate(speakers):
            session.add(
                Claim(
                    document_id=document.id,
                    project_id=project_id,
                    text="x" * 5,
                    char_start=10 * i,
                    char_end=10 * i + 5,
                    speaker=speaker,
                    score=0.5,
                    extractor="test@1",
                )
            )
        return document.id


@pytest.fixture
def desks(engine: Engine) -> tuple[int, int]:
    """(health's document id, election's), health in project 1."""
    election = add_project(engine, SYSTEM, "election").id
    health = _desk(engine, 1, "Hospital", ["Dr Ward", "Nurse Bell"])
    other = _desk(engine, election, "Ballot", ["Mayor Vote", "Aaron Early"])
    return health, other


def test_the_options_are_the_projects_own(engine: Engine, desks: tuple[int, int]) -> None:
    health, election = desks
    assert options.document_options(engine, project_id=1) == [(health, "Hospital report")]
    assert options.speaker_options(engine, project_id=1) == ["Dr Ward", "Nurse Bell"]
    both = options.document_titles(engine, [health, election], project_id=1)
    assert both == {health: "Hospital report"}
    # Every project's, for the command line.
    assert [d for d, _ in options.document_options(engine)] == [health, election]
    assert options.speaker_options(engine) == ["Aaron Early", "Dr Ward", "Mayor Vote", "Nurse Bell"]


def test_another_projects_document_or_speaker_is_not_found(
    engine: Engine, desks: tuple[int, int]
) -> None:
    health, election = desks
    assert options.find_document(engine, f"#{health}", project_id=1) == health
    assert options.find_document(engine, f"#{election}", project_id=1) is None
    assert options.find_document(engine, str(election), project_id=1) is None
    assert options.find_document(engine, "ballot", project_id=1) is None
    assert options.find_document(engine, "hospital", project_id=1) == health
    assert options.find_speaker(engine, "mayor vote", project_id=1) is None
    assert options.find_speaker(engine, "Mayor Vote", project_id=1) is None
    assert options.find_speaker(engine, " dr ward ", project_id=1) == "Dr Ward"
    assert options.find_speaker(engine, "mayor vote") == "Mayor Vote"


@pytest.mark.backends("sqlite")
def test_a_projects_speakers_are_one_seek_each(engine: Engine, desks: tuple[int, int]) -> None:
    found = plans(engine, lambda: options.speaker_options(engine, project_id=1))
    assert any("ix_claims_project_speaker (project_id=? AND speaker>?)" in p for p in found), found
    assert_indexed(engine, lambda: options.speaker_options(engine, project_id=1))
    assert_indexed(engine, lambda: options.document_options(engine, project_id=1))
