"""Reported speech is attributed to the source the text names, using the sentences before it."""

from __future__ import annotations

import pytest

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


def test_a_surname_alone_resolves_to_the_full_name_and_role_mentioned_earlier() -> None:
    text = (
        "Russian Foreign Minister Sergey Lavrov met his Turkish counterpart on Monday. "
        "“We will not accept this,” Lavrov said."
    )
    assert last_speaker(text) == "Russian Foreign Minister Sergey Lavrov"


def test_one_person_is_stored_in_one_form_the_first_with_a_role() -> None:
    text = (
        "Kremlin spokesman Dmitry Peskov said the talks had stalled. "
        "Putin’s spokesman Dmitry Peskov said Sunday the West was to blame. "
        "Peskov said sanctions had never worked."
    )
    assert speakers(text) == ["Kremlin spokesman Dmitry Peskov"] * 3


def test_a_full_name_without_a_role_anywhere_is_stored_as_the_name() -> None:
    text = (
        "Jake Sullivan, national security adviser to US President Joe Biden, told CBS the "
        "allies were united. “This is part of their strategy,” Sullivan said."
    )
    assert speakers(text) == ["Jake Sullivan"] * 2


def test_a_surname_shared_by_two_people_is_not_expanded() -> None:
    text = "Joe Biden met Hunter Biden on Friday. “We talked about the future,” Biden said."
    assert last_speaker(text) == "Biden"


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


def test_a_reporting_verb_in_a_subordinate_clause_does_not_make_a_speaker() -> None:
    text = (
        "His words should be taken seriously since it’s no small matter that Russia just "
        "officially accused the US of plotting President Putin’s assassination."
    )
    assert speakers(text) == [None]


def test_a_relative_clause_reporting_verb_leaves_the_outlets_statement() -> None:
    text = (
        "Kiev must store the warplanes on NATO territory, which Russia says can be "
        "legitimately targeted as well."
    )
    assert speakers(text) == [None]


def test_an_aside_is_skipped_and_a_coordinated_verb_takes_the_main_subject() -> None:
    text = (
        "Russian President Vladimir Putin recently inked a defense pact with Pyongyang – which "
        "Washington has threatened with obliteration – and warned “NATO is already moving there.”"
    )
    assert last_speaker(text) == "Russian President Vladimir Putin"


def test_a_participle_reports_for_the_subject_of_the_main_clause() -> None:
    text = (
        "Outgoing NATO Secretary General Jens Stoltenberg hailed the turn in war policy, "
        "insisting that the Kremlin should not interpret this as escalatory."
    )
    assert last_speaker(text) == "Outgoing NATO Secretary General Jens Stoltenberg"


def test_a_participle_after_a_pronoun_subject_takes_the_previous_speaker() -> None:
    text = (
        "Russian President Vladimir Putin spoke in Minsk. "
        "In contrast, Putin characterized Trump as a “non-systemic politician”. "
        "However, he maintained a diplomatic stance stating he would work with any president."
    )
    assert speakers(text)[1:] == ["Russian President Vladimir Putin"] * 2


def test_it_is_worth_noting_is_the_outlet_speaking() -> None:
    text = "Despite these tensions, it’s worth noting that Putin praised Biden earlier this year."
    assert speakers(text) == [None]


def test_a_pronoun_skips_a_sentence_that_names_nobody() -> None:
    text = (
        "Jake Sullivan told CBS on Sunday that the allies were in close talks.\n\n"
        "From the basement, the war moves towards cyberspace\n\n"
        "“If Russia chooses invasion, we are ready,” he warned."
    )
    assert last_speaker(text) == "Jake Sullivan"


def test_a_pronoun_does_not_cross_a_paragraph_that_names_someone_else() -> None:
    text = (
        "Jake Sullivan told CBS on Sunday that the allies were in close talks.\n\n"
        "Earlier, Antony Blinken met European ministers in Brussels.\n\n"
        "“If Russia chooses invasion, we are ready,” he warned."
    )
    assert last_speaker(text) is None


def test_she_does_not_resolve_to_a_male_speaker() -> None:
    text = (
        "Kremlin spokesman Dmitry Peskov said the talks had failed. "
        "“We will keep trying,” she said."
    )
    assert last_speaker(text) is None


def test_she_resolves_to_a_female_speaker() -> None:
    text = (
        "Health Minister Anna Lindqvist said 4,200 beds were free. "
        "She added that the figure was checked daily."
    )
    assert last_speaker(text) == "Health Minister Anna Lindqvist"


def test_a_gender_learned_from_one_pronoun_blocks_the_other() -> None:
    text = (
        "Mayor Tomas Reyes said the budget would balance. "
        "He added that taxes would not rise. "
        "“We will audit every line,” she said."
    )
    assert speakers(text) == ["Mayor Tomas Reyes", "Mayor Tomas Reyes", None]


def test_he_does_not_resolve_to_an_institution() -> None:
    text = "The Foreign Ministry claimed the drone was American. He added that it was armed."
    assert speakers(text) == ["Foreign Ministry", None]


def test_they_resolves_to_a_body_but_not_to_a_person() -> None:
    body = "US intelligence agencies said Russia had meddled. They added that it had failed."
    person = "Jake Sullivan said Russia had meddled. They added that it had failed."
    assert speakers(body) == ["US intelligence agencies"] * 2
    assert speakers(person) == ["Jake Sullivan", None]


def test_a_quotation_right_after_an_attributed_one_goes_on_in_the_same_voice() -> None:
    text = (
        "Health Minister Anna Lindqvist spoke in Velmora. “Measles does not wait,” Lindqvist "
        "said. “Every point of coverage we lose is a school where an outbreak can start.”"
    )
    assert last_speaker(text) == "Health Minister Anna Lindqvist"


def test_the_agency_is_the_agency_named_before() -> None:
    text = (
        "Valdoria recorded 1,412 cases, the National Health Agency said on Tuesday. "
        "Eleven children died, the agency said."
    )
    assert speakers(text) == ["National Health Agency"] * 2


def test_according_to_a_bodys_report_names_the_body() -> None:
    text = "Power was restored by 4.50 p.m., according to Nordnett’s preliminary report."
    assert last_speaker(text) == "Nordnett"


def test_a_role_after_the_verb_is_kept() -> None:
    text = "“They cut the school nurses,” said party leader Jonas Berg."
    assert last_speaker(text) == "party leader Jonas Berg"


def test_a_title_abbreviation_is_kept_as_the_role() -> None:
    text = (
        "Dr. Samuel Achebe, an epidemiologist, said hesitancy had grown. "
        "“Parents agree,” Achebe said."
    )
    assert speakers(text) == ["Dr. Samuel Achebe"] * 2


def test_a_name_set_off_by_commas_after_a_description_is_the_source() -> None:
    text = (
        "The energy regulator, NVE, said it had opened an investigation. "
        "It said fines were possible."
    )
    assert speakers(text) == ["NVE", "NVE"]


def test_words_that_only_look_like_reporting_verbs() -> None:
    assert speakers("Several NATO member states have armed Ukraine.") == [None]
    assert speakers("The Moscow Kremlin recalled its ambassador to Washington.") == [None]


# Issue 16: role-only speakers, statements closed by their source, places and groups.


def test_a_role_alone_is_the_person_named_with_that_role_before() -> None:
    text = (
        "Transport Minister Hedda Sorensen said the offer stood. "
        "“It is still there,” the Transport Minister told parliament on Wednesday."
    )
    assert speakers(text) == ["Transport Minister Hedda Sorensen"] * 2


def test_a_role_given_in_an_apposition_resolves_a_later_role_alone() -> None:
    text = (
        "The Home Secretary, Daniel Marsh, is due to visit Lanvik. "
        "Speaking on Tuesday, the Home Secretary said £25m had been released."
    )
    assert last_speaker(text) == "Daniel Marsh"


def test_a_role_shared_by_two_people_or_given_to_nobody_is_left_as_written() -> None:
    two = (
        "Interior Minister Tomas Berg met Interior Minister Ana Holm in Oslo. "
        "The Interior Minister said the border would stay open."
    )
    assert last_speaker(two) == "Interior Minister"
    # A qualifier the person was never given: "Russian" is not "former President ...".
    other = (
        "Former President Donald Trump spoke on Monday. "
        "The Russian President said the talks had failed."
    )
    assert last_speaker(other) == "Russian President"


def test_a_role_is_not_the_person_named_as_the_object_of_the_same_sentence() -> None:
    text = "President Joe Biden met Vladimir Putin. The President called Biden a partner."
    assert last_speaker(text) != "President Joe Biden"


def test_the_body_noun_after_the_statement_is_the_body_named_earlier() -> None:
    text = (
        "Ships waited off the port, the Ministry of Transport said in a statement. "
        "The ministry said 63 cargo ships were anchored."
    )
    assert speakers(text) == ["Ministry of Transport"] * 2


def test_the_body_noun_after_the_statement_is_the_named_subject_of_the_sentence() -> None:
    chamber = "The Kaldera Chamber of Commerce put the cost at 35 million euros, the chamber said."
    assert last_speaker(chamber) == "Kaldera Chamber of Commerce"
    operator = "Network Meridia has closed the line after floods, the operator said."
    assert last_speaker(operator) == "Network Meridia"
    # A person as the subject is not "the operator".
    person = "Daniel Marsh has closed the line after floods, the operator said."
    assert last_speaker(person) == "operator"


def test_a_company_descriptor_in_front_of_the_name_is_dropped() -> None:
    assert last_speaker("Grid operator Nordnett said power was back.") == "Nordnett"
    # A person's role in front of the name stays.
    text = "Transport Minister Hedda Sorensen said power was back."
    assert last_speaker(text) == "Transport Minister Hedda Sorensen"


def test_according_to_a_body_written_in_lower_case() -> None:
    text = "The ports handle 70% of the traffic, according to the national port authority."
    assert last_speaker(text) == "the national port authority"  # as "according to the X"
    text = "Wind gave 11% of the power, according to official statistics for 2023."
    assert last_speaker(text) == "official statistics"


def test_a_survey_that_found_something_is_the_bodys_claim() -> None:
    text = "A survey by the Corvanian Youth Council found that 58% still live at home."
    assert last_speaker(text) == "Corvanian Youth Council"


@pytest.mark.parametrize(
    "text",
    [
        "In this context, Kiev announced on Sunday that it had evidence.",
        "Over the coming months, Copenhagen and Amsterdam have said they will send jets.",
        "Europeans and Americans accuse the Russians of moving 100,000 troops.",
        "The United States says it will decide this week.",
        "Neighbouring Estmark reported 212 cases last year.",
        # An invented town the document uses as a place ("in Velmora").
        "Doctors in Velmora were busy. Velmora said 40 clinics had opened.",
    ],
)
def test_places_and_peoples_are_not_speakers(text: str) -> None:
    assert last_speaker(text) is None


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("The Kremlin has denied the allegations.", "Kremlin"),
        ("FreshWay said 40 of its stores were empty.", "FreshWay"),
        ("The Russian embassy said the report was false.", "Russian embassy"),
        ("Russia and the WHO said the outbreak was over.", "Russia and the WHO"),
        ("Jordan said he would run again, Michael Jordan told reporters.", "Michael Jordan"),
    ],
)
def test_bodies_companies_and_people_with_place_like_names_stay_speakers(
    text: str, speaker: str
) -> None:
    assert last_speaker(text) == speaker


def test_the_answers_of_a_q_and_a_are_the_interviewees() -> None:
    text = (
        "Sheriff Dana Whitcombe sat down with the Ledger last week.\n\n"
        "Q: How many deputies do you have?\n\n"
        "A: We have 172. We lost 23 people this year.\n\n"
        "In the third case, the check was 20 minutes late.\n\n"
        "Q: What happens next?\n\n"
        "A: We will ask for $6.5 million."
    )
    found = speakers(text)
    assert found[0] is None and found[1] is None  # the introduction and the question
    assert found[2:5] == ["Sheriff Dana Whitcombe"] * 3  # the answer goes on
    assert found[5] is None and found[6] == "Sheriff Dana Whitcombe"


def test_a_single_a_colon_line_is_no_interview() -> None:
    text = "Sheriff Dana Whitcombe spoke on Monday.\n\nA: note on the figures."
    assert last_speaker(text) != "Sheriff Dana Whitcombe"


def test_a_named_apposition_is_the_subject_for_participles_and_pronouns() -> None:
    text = (
        "The Chancellor of Lunessa, Gareth Pryce, has defended the plan, telling MPs it would "
        "save £9.4bn. The regional governor, Tomás Aguirre, asked for aid. He said farmers "
        "had lost 30,000 cattle."
    )
    assert speakers(text) == ["Gareth Pryce", None, "Tomás Aguirre"]


def test_estimated_reports_but_an_estimated_figure_does_not() -> None:
    assert last_speaker("Police estimated the crowd at 18,000.") == "Police"
    assert last_speaker("An estimated 5,000 people marched in the capital.") is None


def test_a_reporting_verb_inside_the_quoted_words_is_the_quoted_speakers() -> None:
    text = (
        "Its general secretary, Moira Quinlan, spoke on Monday. “The government promised in "
        "2024 not to touch the pension age. Now they want more,” Ms Quinlan said."
    )
    assert last_speaker(text) == "Moira Quinlan"


def test_lower_case_words_of_a_body_are_kept_back_to_its_determiner() -> None:
    text = "Five people died, the country’s civil protection agency said."
    assert last_speaker(text) == "civil protection agency"
    # Only in front of a lower-case body noun: a name keeps no descriptor in front of it.
    assert last_speaker("The opposition Green Party accused the government.") == "Green Party"


def test_according_to_a_bodys_own_figures_in_lower_case() -> None:
    text = "According to the health ministry’s own figures, the wait rose to 14 months."
    assert last_speaker(text) == "the health ministry"


def test_a_participle_used_as_a_noun_reports_nothing() -> None:
    assert last_speaker("The Met Service has issued an amber warning for rain.") is None
    assert last_speaker("Putin replied on Friday, warning that Russia would respond.") == "Putin"


def test_the_body_noun_is_the_body_of_that_kind_named_in_an_earlier_sentence() -> None:
    text = (
        "A former finance director of Harwick County Council was jailed on Friday. "
        "The case was referred to the police in 2023, the council said."
    )
    assert last_speaker(text) == "Harwick County Council"
    # Nothing of that kind named before: left as written.
    assert last_speaker("The case was referred to the police, the council said.") == "council"


def test_an_unnamed_group_with_where_it_is_from_is_the_source() -> None:
    text = "Parents at one of the affected schools said the roof had leaked for years."
    assert last_speaker(text) == "Parents at one of the affected schools"
    text = (
        "Scientists at the University of Marrec found in a study published in March that it rose."
    )
    assert last_speaker(text) == "Scientists at the University of Marrec"
    # A singular noun ("Damage") or no preposition is no group of people.
    assert last_speaker("Damage at the port said more than any report.") is None


def test_straight_quotes_are_read_like_curly_ones() -> None:
    # “A,” Lindqvist said. “B.”: the second quotation goes on in the same voice.
    text = (
        'Health Minister Ana Lindqvist visited Velmora. "Measles does not wait," Lindqvist '
        'said. "Every point of coverage we lose is a school where an outbreak can start."'
    )
    assert speakers(text)[-1] == "Health Minister Ana Lindqvist"


def test_a_long_named_apposition_after_a_role_is_the_source() -> None:
    text = (
        "Kasan's chief negotiator, Deputy Foreign Minister Tariq Haleem, told reporters that 14 "
        "fishermen had been released."
    )
    assert last_speaker(text) == "Deputy Foreign Minister Tariq Haleem"


def test_an_opposition_party_is_stored_without_the_descriptor() -> None:
    assert last_speaker("The opposition Green Party accused the government.") == "Green Party"
    assert last_speaker("opposition leader Omar Said said the vote was rigged.") == (
        "opposition leader Omar Said"
    )


def test_an_unnamed_source_with_a_numeral_or_article_is_kept_as_written() -> None:
    text = "One woman in her eighties, who asked not to be named, said she had waited 22 hours."
    assert last_speaker(text) == "One woman in her eighties"
    text = "Two diplomats familiar with the talks said the meeting would be on Friday."
    assert last_speaker(text) == "Two diplomats familiar with the talks"
    # The description must not be a clause, and the phrase after the verb is no source.
    assert last_speaker("A man who was arrested on Friday said nothing at all.") is None
    assert last_speaker("One of the cases, officials said, was in Velmora.") == "officials"


def test_a_possessive_role_after_the_verb_gives_the_name_in_apposition() -> None:
    text = "“Some of our members buy nothing else,” said its chair, Linda Osei."
    assert last_speaker(text) == "Linda Osei"
    # Without a name after it, a possessive role is still no source.
    assert last_speaker("“Some of our members buy nothing else,” said its chair.") is None


def test_testified_reports_and_added_with_an_object_does_not() -> None:
    text = "The league's treasurer, Alicia Moore, testified that the money was missing."
    assert last_speaker(text) == "Alicia Moore"
    text = (
        "Kelechi Okonkwo opened the scoring after 12 minutes and added a second from the "
        "penalty spot."
    )
    assert last_speaker(text) is None
    assert last_speaker("Garvey scored and added that the referee was wrong.") == "Garvey"


def test_a_name_after_for_in_the_source_is_not_the_source() -> None:
    text = "No illnesses have been confirmed, a spokeswoman for Calder Mills said on Tuesday."
    assert last_speaker(text) == "a spokeswoman for Calder Mills"


def test_a_name_owning_a_ministry_is_a_place() -> None:
    text = (
        "Trevia's Defence Ministry denied that its troops had fired first. "
        "Trevia says the figure is invented."
    )
    assert speakers(text) == ["Trevia's Defence Ministry", None]
    # A company owning a plant stays a speaker.
    text = "Calder Mills's plant was closed. Calder Mills says the flour is safe."
    assert last_speaker(text) == "Calder Mills"


def test_the_company_is_the_company_named_by_its_name_alone() -> None:
    text = (
        "Calder Mills, one of the largest flour producers, is recalling flour from its plant. "
        "The company said the bags were sold in March."
    )
    assert last_speaker(text) == "Calder Mills"
    text = (
        "Brightline Foods said Tuesday it would cut 1,200 jobs. "
        "The Chicago-based company reported net income of $112 million."
    )
    assert last_speaker(text) == "Brightline Foods"
    # A person is never the company: a role in front of the name, or the surname alone.
    text = (
        "Chief executive Laura Brenner said its plants would close. "
        "The company said it would save $150 million."
    )
    assert last_speaker(text) == "company"
    text = "Laura Brenner said its plants would close. Brenner left. The company said so."
    assert last_speaker(text) == "company"
    # Named after the sentence: not yet known.
    text = "The company said it would close. Calder Mills said its plant was safe."
    assert speakers(text)[0] == "company"


def test_the_club_is_the_club_the_story_names_most() -> None:
    text = (
        "Ferrow United beat Castlebridge 3-1. Ferrow manager Gwen Ashcroft was happy. "
        "Okonkwo, who joined from Dunmore Athletic last summer, scored twice. "
        "The club said the crowd of 18,204 was a record."
    )
    assert last_speaker(text) == "Ferrow United"
    assert last_speaker("The club said the crowd of 18,204 was a record.") == "club"


def test_a_studys_findings_are_its_authors() -> None:
    text = (
        "Teenagers score 8% lower, according to a large study published on Monday. "
        "The study, by researchers at the University of Ashgrove, followed 4,300 pupils. "
        "It found that they slept 70 minutes less. "
        "About 38% of the pupils said they used a phone after midnight, the study found. "
        "According to researchers at the University of Ashgrove, the gap reached 11%."
    )
    author = "researchers at the University of Ashgrove"
    assert speakers(text) == [author, None, author, author, author]
    # No author named: the study stays as written; a body "found" by police is no finding.
    assert last_speaker("The study found that pupils slept less.") == "study"
    assert last_speaker("The body was found.") is None
    assert (
        last_speaker(
            "A study by the Marrec Institute found that it rose. The study found that it fell."
        )
        == "Marrec Institute"
    )


def test_manager_and_coach_are_roles_in_front_of_a_name() -> None:
    text = (
        "Ferrow manager Gwen Ashcroft praised her side. "
        "Ashcroft confirmed that the captain would miss three weeks."
    )
    assert last_speaker(text) == "Ferrow manager Gwen Ashcroft"


def test_figures_from_a_body_are_the_bodys_and_a_bodys_data_the_body() -> None:
    text = "Services were cut by a third, according to figures from the Office of Rail Standards."
    assert last_speaker(text) == "Office of Rail Standards"
    assert last_speaker("Yields rose, according to central bank data.") == "central bank"
    # Records and official statistics stay the source.
    assert (
        last_speaker("It approved 31 permits, according to council records.") == "council records"
    )
    assert last_speaker("It rose, according to official statistics.") == "official statistics"


def test_records_that_show_report_and_a_plural_group_opens_the_sentence() -> None:
    text = "State records show the plant was inspected three times."
    assert last_speaker(text) == "State records"
    assert last_speaker("Fishing guides said the river had not recovered.") == "Fishing guides"
    # "show" after anything else, and a singular or one-word subject, report nothing new.
    assert last_speaker("The pictures show the plant was flooded.") is None
    assert last_speaker("Fishing season said nothing.") is None


def test_the_group_is_the_name_the_noun_was_put_in_front_of() -> None:
    text = (
        "Environmental group Clearwater Alliance called the fine a slap on the wrist. "
        "The group said Orrin had reported two smaller leaks."
    )
    assert last_speaker(text) == "Clearwater Alliance"


def test_the_operator_is_the_company_named_before() -> None:
    text = (
        "Ridgeway Lines said it was disappointed by the decision. "
        "The operator said its offer was the best it could afford."
    )
    assert last_speaker(text) == "Ridgeway Lines"


def test_their_union_is_not_the_subject_of_the_sentence() -> None:
    text = "Train drivers on Ridgeway Lines will strike next week, their union has announced."
    assert last_speaker(text) == "union"
    # Without the possessive, "the chamber" is still the named subject (earlier rule).
    text = "The Kaldera Chamber of Commerce estimated losses at $40m, the chamber said."
    assert last_speaker(text) == "Kaldera Chamber of Commerce"
