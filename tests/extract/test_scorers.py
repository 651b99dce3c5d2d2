"""The scorer registry and the reader of pre-split sentence files (`workbench score`)."""

from __future__ import annotations

import csv
import importlib.util
import io
from collections.abc import Sequence
from importlib.resources import as_file, files
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.errors import WorkbenchError
from workbench.extract.linear_model import DEFAULT_FILE, LinearCheckworthiness
from workbench.extract.onnx_model import OnnxCheckworthiness
from workbench.extract.pipeline import SentenceExtractor, default_extractor
from workbench.extract.scorers import (
    HeuristicScorer,
    ScorerError,
    SentenceFileError,
    SentenceScorer,
    load_scorer,
    parse_label,
    read_sentence_file,
)

SCORE_DATA = Path(__file__).resolve().parents[1] / "data" / "score"
SENTENCES = ["The unemployment rate fell to 3.5% in 2019.", "Thank you very much."]


def test_onnx_is_the_default_and_each_scorer_is_loaded_once() -> None:
    # issue 16: the cascaded MiniLM is the default, linear@1 its first stage.
    default = load_scorer()
    assert isinstance(default, OnnxCheckworthiness)
    assert default.name == "minilm-onnx@4"
    assert load_scorer("onnx") is default
    scorer = load_scorer("linear")
    assert isinstance(scorer, LinearCheckworthiness)
    assert isinstance(scorer, SentenceScorer)
    assert scorer.name == "linear@1"
    assert 0.0 < scorer.threshold < 1.0
    assert load_scorer(" Linear ") is scorer


def test_model_path_replaces_the_shipped_weights(tmp_path: Path) -> None:
    with as_file(files("workbench") / "extract" / "models" / DEFAULT_FILE) as shipped:
        copy = tmp_path / "copy.npz"
        copy.write_bytes(Path(shipped).read_bytes())
    from_path = load_scorer("linear", copy)
    assert from_path is not load_scorer("linear")
    assert from_path is load_scorer("linear", tmp_path / "." / "copy.npz")
    shipped_scores = load_scorer("linear").score_many(SENTENCES)
    assert list(from_path.score_many(SENTENCES)) == list(shipped_scores)


def test_heuristic_wraps_the_rule_score() -> None:
    from workbench.extract.heuristic import score

    scorer = load_scorer("heuristic")
    assert isinstance(scorer, HeuristicScorer)
    assert (scorer.name, scorer.threshold) == ("heuristic@1", 0.5)
    assert scorer.score_many(SENTENCES) == [score(s).value for s in SENTENCES]


def test_linear_separates_a_claim_from_a_pleasantry() -> None:
    scorer = load_scorer("linear")
    claim, thanks = scorer.score_many(SENTENCES)
    assert claim >= scorer.threshold > thanks


@pytest.mark.parametrize(
    ("name", "path", "message"),
    [
        ("bert", None, "unknown scorer 'bert'; choose one of: linear, heuristic, minilm, blend"),
        ("linear", Path("/nonexistent/weights.npz"), "no such weights file"),
        ("heuristic", Path("/nonexistent/weights.npz"), "has no model file"),
    ],
)
def test_a_bad_choice_is_a_user_error(name: str, path: Path | None, message: str) -> None:
    with pytest.raises(ScorerError, match=message) as caught:
        load_scorer(name, path)
    assert isinstance(caught.value, WorkbenchError)


def test_a_file_that_is_not_linear_weights_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip file")
    with pytest.raises(ScorerError, match=r"bad\.npz: cannot load the linear scorer"):
        load_scorer("linear", bad)


@pytest.mark.skipif(
    importlib.util.find_spec("torch") is not None, reason="the ml extra is installed"
)
def test_minilm_without_the_extra_says_how_to_install_it() -> None:
    with pytest.raises(ScorerError, match=r"pip install '\.\[ml\]'"):
        load_scorer("minilm")


def test_the_settings_choose_the_extractor(monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_extractor().name == "minilm-onnx@4"
    assert default_extractor().threshold == load_scorer("onnx").threshold
    monkeypatch.setenv("WORKBENCH_SCORER", "heuristic")
    monkeypatch.setenv("WORKBENCH_CLAIM_THRESHOLD", "0.7")
    chosen = default_extractor()
    assert (chosen.name, chosen.threshold) == ("heuristic@1", 0.7)
    # Arguments beat the settings.
    assert default_extractor(0.2, "linear").name == "linear@1"
    assert default_extractor(0.2, "linear").threshold == 0.2


def test_one_score_many_call_per_document() -> None:
    calls: list[int] = []

    class Counting:
        name = "counting@1"
        threshold = 0.5

        def score_many(self, texts: Sequence[str]) -> list[float]:
            calls.append(len(texts))
            return [1.0 if any(c.isdigit() for c in t) else 0.0 for t in texts]

    text = "Officials said 12 bridges closed in 2023.\n\nWe love bridges, don't we all agree."
    claims = SentenceExtractor(Counting()).extract(text)
    assert calls == [2]
    assert [c.text for c in claims] == ["Officials said 12 bridges closed in 2023."]
    assert claims[0].extractor == "counting@1"


# The sentence-file reader ------------------------------------------------------------------


def test_a_checkthat_file_with_two_records_on_one_line() -> None:
    data = read_sentence_file(SCORE_DATA / "labelled.tsv")
    assert data.has_labels
    assert [r.id for r in data.rows] == ["1", "2", "3", "4", "5", "24098", "29286", "7"]
    assert (
        data.rows[2].text == 'He said "we cut taxes for 95 percent of working families" last year.'
    )
    assert [r.is_positive(data.path) for r in data.rows] == [
        True,
        False,
        True,
        False,
        True,
        False,
        False,
        False,
    ]
    assert data.rows[5].line == data.rows[6].line == 7
    assert data.warnings == [
        f"{data.path}:7: 2 records on one line (ids 24098, 29286); split",
    ]


def test_a_csv_without_labels_and_a_text_file() -> None:
    table = read_sentence_file(SCORE_DATA / "unlabelled.csv")
    assert not table.has_labels
    assert [(r.id, r.label) for r in table.rows] == [("10", None), ("11", None)]
    assert table.rows[0].text == "Our deficit doubled to $1.2 trillion, the CBO says."
    lines = read_sentence_file(SCORE_DATA / "sentences.txt")
    assert not lines.has_labels
    assert [(r.id, r.line) for r in lines.rows] == [("1", 1), ("3", 3), ("4", 4)]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("wide.tsv", "Sentence_id\tText\tclass_label\n1\ta\tYes\n2\tb\tc\tNo\tz\n", ":3: 5 fields"),
        ("noid.csv", "id,Text\n1,a\n", ":1: no Sentence_id column"),
        ("empty.tsv", "", "empty file"),
        ("quote.csv", 'Sentence_id,Text\n1,"open quote\n', ":2: unexpected end of data"),
        ("blank_id.tsv", "Sentence_id\tText\n\tsome text\n", ":2: empty Sentence_id"),
    ],
)
def test_a_bad_table_names_its_file_and_line(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SentenceFileError, match=message) as caught:
        read_sentence_file(path)
    assert str(caught.value).startswith(str(path))


def test_binary_and_missing_files_are_refused(tmp_path: Path) -> None:
    png = tmp_path / "x.txt"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff")
    with pytest.raises(SentenceFileError, match=r"x\.txt:1: not UTF-8"):
        read_sentence_file(png)
    with pytest.raises(SentenceFileError, match="cannot read"):
        read_sentence_file(tmp_path / "missing.tsv")


def test_an_unknown_label_is_an_error_only_when_it_is_used() -> None:
    data = read_sentence_file(SCORE_DATA / "bad_label.tsv")
    assert data.rows[0].is_positive(data.path)
    with pytest.raises(SentenceFileError, match=r"bad_label.tsv:3: class_label 'Maybe'"):
        data.rows[1].is_positive(data.path)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Yes", True), ("no", False), (" 1 ", True), ("0", False), ("TRUE", True), ("x", None)],
)
def test_labels(raw: str, expected: bool | None) -> None:
    assert parse_label(raw) is expected


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=60
)
_ROWS = st.lists(
    st.tuples(
        st.from_regex(r"[A-Za-z0-9_-]{1,8}", fullmatch=True),
        _TEXT,
        st.sampled_from(["Yes", "No", "1", "0", "true", "False"]),
    ),
    max_size=15,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=_ROWS, delimiter=st.sampled_from(["\t", ","]))
def test_any_table_written_by_csv_reads_back(
    tmp_path: Path, rows: list[tuple[str, str, str]], delimiter: str
) -> None:
    """Whatever csv writes (quotes, delimiters and line breaks inside a text) reads back whole,
    minus the whitespace the reader strips; blank records are skipped."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(["Sentence_id", "Text", "class_label"])
    writer.writerows(rows)
    path = tmp_path / ("rows.tsv" if delimiter == "\t" else "rows.csv")
    path.write_text(buffer.getvalue(), encoding="utf-8")
    data = read_sentence_file(path)
    assert data.has_labels and not data.warnings
    assert [(r.id, r.text, r.is_positive(path)) for r in data.rows] == [
        (i, t.strip(), parse_label(y)) for i, t, y in rows
    ]
    lines = [r.line for r in data.rows]
    assert lines == sorted(lines) and all(line >= 2 for line in lines)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(_TEXT.filter(lambda t: "\n" not in t), max_size=20))
def test_any_text_file_gives_one_sentence_per_non_blank_line(
    tmp_path: Path, lines: list[str]
) -> None:
    path = tmp_path / "lines.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    data = read_sentence_file(path)
    assert not data.has_labels
    # Line numbers are counted by "\n" only, as editors and `wc -l` count them.
    assert [(r.id, r.text) for r in data.rows] == [
        (str(number), line.strip()) for number, line in enumerate(lines, start=1) if line.strip()
    ]
