"""Who says a sentence: reported speech attributed to the source the text names.

``attribute(text, spans)`` returns one speaker (or None) per sentence span. It reads the
document in order, because much attribution is only in the context: "He added: ..." needs the
speaker of the sentence before, "..., Lavrov said" needs the fuller mention made earlier, and
the sentences of a quotation that runs over several sentences or paragraphs belong to whoever
introduced or closed the quotation, or spoke the quotation just before it in the same
paragraph ("“A,” Lindqvist said. “B.”"). None means the outlet's own statement.

No parser: a reporting verb ("said", "told", "denied", ...) is found, and the source is the
noun phrase in front of it, cut back to the words a source can be made of (names, titles and
roles, determiners), or, after a closing quotation mark, the phrase that follows the verb. A
participle ("..., saying") or a verb coordinated with an earlier one ("... and warned") takes
the subject of the main clause. A reporting verb inside a subordinate clause ("..., which
Washington has threatened", "it's no small matter that Russia accused ...") does not make its
subject the speaker of the sentence: the sentence is still the outlet's.

Which form is stored: one form per person per document, the first mention that carries a role
or title in front of the name ("Kremlin spokesman Dmitry Peskov"), else the full name ("Jake
Sullivan"). A later "Peskov said" or "Putin's spokesman Dmitry Peskov said" is stored in that
same form, so a document's claims by one person group under one speaker. Roles given only in
an apposition ("Jake Sullivan, national security adviser to ...") are not kept: they are
often long and mention other people. Sources that are not people ("Foreign Ministry",
"a spokesman for the Russian president") are stored as written, except that a bare "the
ministry" or "the agency" becomes the body of that kind that spoke last ("Foreign Ministry").

Descriptions resolve to what the document named, because news names a body once and then
describes it: "the company" or "the operator" is the company named by its name alone (known as a
company because its sentence goes on with "it"/"its" and no personal pronoun), "the club" a
club name, "the group" the name the noun was put in front of, "the study found" or "the
researchers said" the study's authors. When several fit, the one named most often so far wins:
a story is about one company, and others are named in passing. Unnamed sources ("One woman in
her eighties, who asked not to be named", "Two diplomats familiar with the talks") are stored
as written, as the labels do: a reviewer sees how anonymous the source is. A quotation with no
attribution in it or around it has no speaker (the outlet's).

Pronouns are resolved conservatively, because a wrong speaker misleads a reviewer more than a
missing one: "he"/"she" take the speaker (or the named subject) of the nearest earlier
sentence that has one, only when it is a person whose known gender does not contradict the
pronoun, and only if no sentence in between names somebody else (a named subject counts only
within the pronoun's paragraph); "it" and "they" only take a source that is not a person
("the ministry", "US intelligence agencies"). Otherwise None.

The rules are split along their ideas: :mod:`~workbench.extract.speaker.words` holds the word
lists (data), :mod:`~workbench.extract.speaker.sentence` reads one sentence's own attribution,
:mod:`~workbench.extract.speaker.names` the people, places and bodies a document names, and
:mod:`~workbench.extract.speaker.document` the pass over the document that ties them together.
"""

from workbench.extract.speaker.document import attribute
from workbench.extract.speaker.sentence import own_attribution

__all__ = ["attribute", "own_attribution"]
