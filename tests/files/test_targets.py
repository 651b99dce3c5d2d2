"""Where a file may be written: never over the database, a link, a device or a FIFO.

The rename that makes a file appear whole replaces whatever its name held; each test gives a
writer a name that must not be replaced and checks the refusal is one line, exit 1, and the
database (and the thing named) unchanged.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from workbench.agreement.table import load_table
from workbench.auth.policy import SYSTEM
from workbench.cli import app
from workbench.db.open import open_database
from workbench.export import ExportFormat, export_to_file
from workbench.export.service import export_history_to_file
from workbench.files.atomic import TargetRefused, atomic_text_file, check_target
from workbench.transfer.backup import export_backup

pytestmark = pytest.mark.backends("sqlite")  # the database is a file only on SQLite

runner = CliRunner()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def database(db_url: str, sample_dir: Path) -> Path:
    """A SQLite database with the sample articles in it; its file's path."""
    assert runner.invoke(app, ["init", "--db", db_url]).exit_code == 0
    assert runner.invoke(app, ["ingest", str(sample_dir), "--db", db_url]).exit_code == 0
    path = Path(db_url.removeprefix("sqlite:///"))
    assert path.is_file()
    return path


def _refused(args: list[str], database: Path, needle: str) -> None:
    before = _digest(database)
    result = runner.invoke(app, [*args, "--db", f"sqlite:///{database}"])
    assert result.exit_code == 1, result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and needle in errors[0], result.stderr
    assert "Traceback" not in result.stderr
    assert _digest(database) == before
    # ... and the database still works: the next command does not die.
    again = runner.invoke(app, ["export", "--out", str(database.parent / "ok.jsonl"), "--db",
                                f"sqlite:///{database}"])  # fmt: skip
    assert again.exit_code == 0, again.stderr


@pytest.mark.parametrize(
    "writer",
    [
        ["export", "--out"],
        ["export", "--format", "csv", "--out"],
        ["export", "--history", "--out"],
        ["export", "--all", "--out"],
        ["agreement", "--csv"],
    ],
)
def test_every_writer_refuses_the_database_itself(writer: list[str], database: Path) -> None:
    _refused([*writer, str(database)], database, "is the database")


def test_the_database_by_another_path_or_a_hard_link_is_refused(database: Path) -> None:
    roundabout = database.parent / ".." / database.parent.name / database.name
    _refused(["export", "--out", str(roundabout)], database, "is the database")
    hard = database.with_name("hard-link.sqlite")
    os.link(database, hard)
    _refused(["export", "--out", str(hard)], database, "is the database")


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
def test_the_databases_companion_files_are_refused(suffix: str, database: Path) -> None:
    _refused(["export", "--out", f"{database}{suffix}"], database, f"the {suffix} file of")


def test_a_manifest_that_would_land_on_the_database_is_refused(
    sample_dir: Path, tmp_path: Path
) -> None:
    # The data file is free; its manifest's name is the database's.
    database = tmp_path / "claims.jsonl.manifest.json"
    url = f"sqlite:///{database}"
    assert runner.invoke(app, ["init", "--db", url]).exit_code == 0
    assert runner.invoke(app, ["ingest", str(sample_dir), "--db", url]).exit_code == 0
    _refused(["export", "--out", str(tmp_path / "claims.jsonl")], database, "is the database")
    assert not (tmp_path / "claims.jsonl").exists()


def test_a_symbolic_link_is_refused_and_its_target_kept(database: Path, tmp_path: Path) -> None:
    target = tmp_path / "someone-elses.txt"
    target.write_text("keep me\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    _refused(["export", "--out", str(link)], database, "is a symbolic link")
    assert link.is_symlink() and target.read_text() == "keep me\n"


def test_a_fifo_is_refused_and_stays_a_fifo(database: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    _refused(["export", "--out", str(fifo)], database, "is a FIFO")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_device_is_refused_and_stays_a_device(database: Path, tmp_path: Path) -> None:
    # /dev/full as root was replaced by a regular file. A device node of the test's own (a
    # null device, made where root may) stands in, so a regression cannot break the machine.
    device = tmp_path / "null"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs root")
    _refused(["export", "--out", str(device)], database, "is a device")
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_a_folder_is_refused(database: Path, tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    _refused(["export", "--out", str(tmp_path / "folder")], database, "is a folder")


def test_an_ordinary_file_is_still_replaced(database: Path, tmp_path: Path) -> None:
    old = tmp_path / "old.jsonl"
    old.write_text("stale\n")
    result = runner.invoke(app, ["export", "--out", str(old), "--db", f"sqlite:///{database}"])
    assert result.exit_code == 0 and old.read_text() != "stale\n"


# --- the services, not only the command line: the check lives in the writer ----------------

Writer = Callable[[Engine, Path], object]
SERVICES: list[Writer] = [
    lambda engine, path: export_to_file(engine, ExportFormat.csv, path, actor=SYSTEM),
    lambda engine, path: export_history_to_file(engine, path, actor=SYSTEM),
    lambda engine, path: export_backup(engine, path, actor=SYSTEM),
    lambda engine, path: load_table(engine).save_csv(path),
]


@pytest.mark.parametrize("write", SERVICES, ids=["export", "history", "backup", "agreement"])
def test_the_services_refuse_the_open_database(write: Writer, database: Path) -> None:
    engine = open_database(f"sqlite:///{database}", migrate=False)
    before = _digest(database)
    with pytest.raises(TargetRefused, match="is the database"):
        write(engine, database)
    assert _digest(database) == before


def test_the_atomic_writer_refuses_before_writing(database: Path) -> None:
    open_database(f"sqlite:///{database}", migrate=False)
    before = _digest(database)
    with pytest.raises(TargetRefused), atomic_text_file(database) as handle:
        handle.write("x")
    assert _digest(database) == before
    assert not list(database.parent.glob(f".{database.name}.*.part"))


def test_train_extractor_refuses_the_database_before_training(
    database: Path, tmp_path: Path
) -> None:
    pytest.importorskip("sklearn")
    data = tmp_path / "no-data-needed"
    data.mkdir()
    for split in ("train", "dev", "dev-test"):  # found, so the refusal is what stops it
        (data / f"CT24_checkworthy_english_{split}.tsv").write_text(
            "Sentence_id\tText\tclass_label\n1\tThe rate rose 4% in 2023.\tYes\n"
        )
    args = ["train-extractor", "--data", str(data), "--out", str(database)]
    _refused(args, database, "is the database")


def test_check_target_accepts_a_new_file_and_a_regular_one(tmp_path: Path) -> None:
    check_target(tmp_path / "new.csv")
    (tmp_path / "old.csv").write_text("")
    check_target(tmp_path / "old.csv")


def test_a_real_export_onto_the_database_leaves_it_usable(database: Path) -> None:
    # The report's reproduction, end to end with the installed command: the next command
    # used to die with a traceback on a database replaced by JSONL.
    command = [shutil.which("workbench") or str(Path(sys.executable).parent / "workbench")]
    url = f"sqlite:///{database}"
    done = subprocess.run(
        [*command, "export", "--out", str(database), "--db", url], capture_output=True, text=True
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    after = subprocess.run([*command, "users", "list", "--db", url], capture_output=True, text=True)
    assert after.returncode == 0, after.stderr
