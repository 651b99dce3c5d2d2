"""Blind review that stays blind: each review's blind verdict, and changes after the reveal.

A reviewer sees the other reviewers' verdicts, notes and URLs once they have given a verdict
of their own (``queue.visible_reviews``, ``history.visible_claim_history``), and may then change
theirs. Without a record of what they said before, a claim whose reviewers came round to one
another's view would read as a consensus, and the agreement audit would measure agreement
the reveal produced. So every review keeps two verdicts:

* ``blind_verdict``: the verdict as it stood before its reviewer could have seen anyone
  else's. It is set by the reviewer's first decision. While no other reviewer of the claim
  has decided, there is nothing to see, so a change (a misclick put right) is still blind and
  moves the blind verdict with it. Once another reviewer has decided (the *reveal*: their
  blind verdict is set, so this reviewer, having decided, is shown it), the blind verdict is
  frozen for good.
* ``changed_after_reveal``: set when the reviewer saves, after the reveal, a verdict other
  than their blind one; never cleared (going back to the blind verdict later does not undo
  the fact that they changed). The review's history entry carries the flag.

Taking a verdict back (``None``) changes neither: the blind verdict stays what it was, and the
review counts as undecided everywhere until a verdict is given again (which is then judged
by the same rule). "Not a claim" is a claim's status, not a verdict: it touches no review.

The reveal is judged from the stored reviews at the moment of the change, which a service
can enforce: "another reviewer has a blind verdict". That errs on the side of flagging: a
reviewer who decided and took it back before this one decided still counts as seen.
Admins see every review before deciding (they review beside the team and adjudicate), so
an admin's first verdict on a claim others have decided is not blind in fact; it is
recorded as blind all the same, as the rule can only see what the service sees.

What follows from it (:func:`agrees_blind`): an automatic final verdict (``single`` or
``consensus``) needs the reviews to agree *blind*, each review's current verdict equal to its
blind verdict; a claim whose current verdicts agree but whose blind ones do not waits for an
admin on the Adjudication page, marked "agreement only after the reveal". Agreement figures
use the blind verdicts unless asked for the current ones (``workbench.agreement.table``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

# (current verdict, blind verdict) of one decided review. A blind verdict of None (a review
# from before blind verdicts were kept, with nothing to recover it from) reads as the verdict.
VerdictPair = tuple[str, str | None]


def after_save(
    blind_verdict: str | None,
    changed_after_reveal: bool,
    verdict: str | None,
    seen: Callable[[], bool],
) -> tuple[str | None, bool]:
    """A review's (blind verdict, changed-after-reveal flag) once its reviewer saves
    ``verdict`` over the ones given (same transaction, under the claim's row lock).
    ``seen()`` says whether the reveal happened: another review of the claim has a blind
    verdict (asked only when it matters)."""
    if verdict is None:
        return blind_verdict, changed_after_reveal  # taking a verdict back: nothing decided
    if blind_verdict is None or not seen():
        return verdict, changed_after_reveal
    if verdict != blind_verdict:
        return blind_verdict, True
    return blind_verdict, changed_after_reveal


def blind_of(pair: VerdictPair) -> str:
    verdict, blind = pair
    return verdict if blind is None else blind


def agrees_blind(pairs: Sequence[VerdictPair]) -> bool:
    """The decided reviews agree, and agreed before anyone saw anyone else's verdict: every
    current verdict and every blind verdict is the same."""
    return len({v for pair in pairs for v in (pair[0], blind_of(pair))}) == 1


def agreed_after_reveal(pairs: Sequence[VerdictPair]) -> bool:
    """The current verdicts agree but the blind ones do not match them: the agreement came
    after the reveal, and an admin has to weigh it."""
    return len({pair[0] for pair in pairs}) == 1 and not agrees_blind(pairs)
