"""Reported speech is attributed to the source the text names, using the sentences before it."""

from __future__ import annotations

from workbench.extract.segment import sentences
from workbench.extract.speaker import attribute


def speakers(text: str) -> list[str | None]:
    return attribute(text, sentences(text))


def last_speaker(text: str) -> str | None:
    return speakers(text)[-1]


def test_role_and_name_before_the_verb_are_kept() -> None:
    text = "Kremlin spokesman Dmitry Peskov said the talks had failed."
    assert last_speaker(text) == "Kremlin spokesman Dmitry Peskov"


def test_a_leading_time_phrase_is_not_part_of_the_speaker() -> None:
    text = "On Monday, Russian Foreign Minister Sergey Lavrov said the attack was beyond doubt."
    assert last_speaker(text) == "Russian Foreign Minister Sergey Lavrov"


def test_a_surname_alone_resolves_to_the_full_name_mentioned_earlier() -> None:
    text = (
        "Russian Foreign Minister Sergey Lavrov met his Turkish counterpart on Monday. "
        "“We will not accept this,” Lavrov said."
    )
    assert last_speaker(text) == "Sergey Lavrov"


def test_told_an_outlet() -> None:
    assert last_speaker("Jake Sullivan told CNN the talks would resume.") == "Jake Sullivan"


def test_possessive_role_and_trailing_day() -> None:
    text = "“We do not know the outcome. Putin’s spokesman Dmitry Peskov said Sunday."
    assert speakers(text) == ["Putin’s spokesman Dmitry Peskov"] * 2


def test_he_added_with_a_quote_resolves_to_the_last_named_speaker() -> None:
    text = (
        "Kremlin spokesman Dmitry Peskov described the move as standard practice. "
        "He added: “We cannot but consider various options.”"
    )
    assert last_speaker(text) == "Kremlin spokesman Dmitry Peskov"


def test_a_body_named_as_source() -> None:
    text = "The Foreign Ministry claimed US intelligence was used to coordinate the bombing."
    assert last_speaker(text) == "Foreign Ministry"


def test_an_apposition_after_the_name_is_skipped() -> None:
    text = (
        "Jake Sullivan, national security adviser to US President Joe Biden, told CBS on Sunday "
        "that “we are in close talks” with allies."
    )
    assert last_speaker(text) == "Jake Sullivan"


def test_quote_then_pronoun_resolves_to_the_previous_named_speaker() -> None:
    text = (
        "Jake Sullivan said the allies were united. "
        "“If Russia chooses invasion, we are ready for a decisive response,” he warned."
    )
    assert last_speaker(text) == "Jake Sullivan"


def test_said_followed_by_an_unnamed_source() -> None:
    text = "“We want to see progress,” said a spokesman for the Russian president."
    assert last_speaker(text) == "a spokesman for the Russian president"


def test_a_quotation_over_several_paragraphs_belongs_to_who_introduced_it() -> None:
    text = (
        "Kremlin spokesman Dmitry Peskov told CNN the following on Thursday:\n\n"
        "“Undoubtedly. Such decisions are dictated to Kiev from Washington.\n\n"
        "Washington must clearly understand that we know this.”\n\n"
        "Analysts were not surprised."
    )
    assert speakers(text) == ["Kremlin spokesman Dmitry Peskov"] * 4 + [None]


def test_a_pronoun_after_a_subject_sentence_resolves_to_that_subject() -> None:
    text = (
        "Donald Trump has faced criticism for being soft on Russia. "
        "During the campaign, he said he would encourage Russia."
    )
    assert last_speaker(text) == "Donald Trump"


def test_according_to() -> None:
    text = "Turnout reached 61%, according to the Central Election Commission."
    assert last_speaker(text) == "the Central Election Commission"


def test_the_outlets_own_statement_has_no_speaker() -> None:
    text = "This comes less than a week after Kiev launched missile strikes on Crimea."
    assert speakers(text) == [None]


def test_a_noun_claim_is_not_a_source() -> None:
    text = "This would incite Trump’s false claim that he had won the election."
    assert speakers(text) == [None]
