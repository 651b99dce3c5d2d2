"""Make the example database docs/agreement.md shows: the sample corpus, three reviewers.

    python scripts/agreement_example.py /tmp/agreement.sqlite
    workbench agreement --db sqlite:////tmp/agreement.sqlite --by reviewer

Deterministic (seed 7): each claim gets a hidden "true" verdict; Ana gives it 95% of the
time, Ben 92%, Cy 75% and, when Cy strays, mostly towards "unsupported". An admin, Ada,
adjudicates every other split claim. Everything goes through the service layer, as the app's
clicks would.
"""

from __future__ import annotations

import argparse
import random
from datetime import UTC, datetime, timedelta
from importlib.resources import as_file, files
from pathlib import Path

from workbench.auth.accounts import add_user
from workbench.auth.policy import SYSTEM
from workbench.db.open import open_database
from workbench.extract import default_extractor
from workbench.ingest.service import ingest_paths
from workbench.projects.settings import set_project_setting
from workbench.review import decisions, queue
from workbench.review.adjudicate import adjudicate, final_verdict
from workbench.schemas import Actor, Role, Verdict

VERDICTS = [Verdict.verified, Verdict.disputed, Verdict.unsupported]
SKILL = {"Ana": 0.95, "Ben": 0.92, "Cy": 0.75}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="SQLite file to create (must not exist)")
    args = parser.parse_args()
    if args.path.exists():
        parser.error(f"{args.path} exists")
    engine = open_database(f"sqlite:///{args.path}")
    with as_file(files("workbench") / "sample_data") as sample:
        # linear@1, not the default scorer: the example's figures (docs/agreement.md) are about
        # agreement and must not move when the extractor's default does.
        extractor = default_extractor(scorer="linear")
        ingest_paths(engine, [Path(sample)], extractor, max_bytes=10**7)
    set_project_setting(engine, SYSTEM, "reviews_per_claim", 3)
    people = {}
    for name in SKILL:
        user = add_user(engine, SYSTEM, name, Role.reviewer)
        people[name] = Actor(id=user.id, name=user.name, role=user.role)
    rng = random.Random(7)
    claims = queue.list_claims(engine, queue.ClaimFilter(), page_size=1000, actor=SYSTEM).items
    admin = add_user(engine, SYSTEM, "Ada", Role.admin)
    ada = Actor(id=admin.id, name=admin.name, role=admin.role)
    for i, claim in enumerate(claims):
        truth = rng.choices(VERDICTS, weights=[0.55, 0.3, 0.15])[0]
        for name, skill in SKILL.items():
            verdict = truth
            if rng.random() > skill:
                others = [v for v in VERDICTS if v != truth]
                lean = Verdict.unsupported if name == "Cy" else rng.choice(others)
                verdict = lean if lean != truth else rng.choice(others)
            shown = datetime.now(UTC) - timedelta(seconds=rng.uniform(20, 200))
            decisions.set_verdict(engine, claim.id, people[name], verdict, shown_at=shown)
        if i % 2 == 0 and final_verdict(engine, claim.id) is None:
            # Ada settles every other split claim, on the evidence (the hidden truth).
            adjudicate(engine, ada, claim.id, truth, "checked the sources")
    print(f"{len(claims)} claims, {len(claims) * len(SKILL)} verdicts in {args.path}")


if __name__ == "__main__":
    main()
