"""Where `train-extractor` looks for its public data: --data, else Settings.train_data."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.config import DEFAULT_TRAIN_DATA, get_settings
from workbench.errors import WorkbenchError
from workbench.extract.retraining import SPLITS, training_data

pytest.importorskip("sklearn")


def _ct24(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for split in SPLITS:
        (folder / f"CT24_checkworthy_english_{split}.tsv").write_text("")
    return folder


def test_the_setting_names_the_folder_and_the_flag_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from_env = _ct24(tmp_path / "env")
    monkeypatch.setenv("WORKBENCH_TRAIN_DATA", str(from_env))
    assert training_data(None, get_settings()) == from_env
    given = _ct24(tmp_path / "flag")
    assert training_data(given, get_settings()) == given


def test_an_empty_variable_means_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_TRAIN_DATA", "")
    assert get_settings().train_data == DEFAULT_TRAIN_DATA


def test_missing_files_are_named_with_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(WorkbenchError, match="training data not found") as caught:
        training_data(tmp_path, get_settings())
    assert "CT24_checkworthy_english_dev-test.tsv" in str(caught.value)
    assert "--data DIR or set WORKBENCH_TRAIN_DATA" in str(caught.value)
