"""The Agreement page's charts as Vega-Lite specs: plain data in, a dict out.

Kept apart from the page (``views/agreement.py``), which decides what to show and says what
each figure rests on: these only draw. Names in the data (reviewers, verdicts) are values in
the chart, never markup. The thresholds drawn come from ``workbench.agreement.report``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from workbench.agreement.figures import PairAgreement
from workbench.agreement.report import RELIABLE, TENTATIVE

# One colour per verdict, the same in every chart.
VERDICT_COLOURS = {"verified": "#2e7d32", "disputed": "#c62828", "unsupported": "#9e9e9e"}


def kappa_frame(pairs: Sequence[PairAgreement]) -> pd.DataFrame:
    """Both halves of the matrix: (a, b) and (b, a) hold the same pair."""
    rows = [
        {"reviewer": x, "with": y, "kappa": p.kappa, "claims": p.claims, "observed": p.observed}
        for p in pairs
        for x, y in ((p.a, p.b), (p.b, p.a))
    ]
    return pd.DataFrame(rows, columns=["reviewer", "with", "kappa", "claims", "observed"])


def heatmap_spec(reviewers: list[str]) -> dict[str, Any]:
    axis = {"type": "nominal", "sort": reviewers, "scale": {"domain": reviewers}}
    angle = 0 if len(reviewers) <= 6 else -40
    valid = {"filter": "isValid(datum.kappa)"}
    tooltip = [
        {"field": "reviewer", "type": "nominal"},
        {"field": "with", "type": "nominal"},
        {"field": "kappa", "type": "quantitative", "title": "Cohen's κ", "format": ".3f"},
        {"field": "claims", "type": "quantitative", "title": "claims both reviewed"},
        {"field": "observed", "type": "quantitative", "format": ".3f"},
    ]
    return {
        "encoding": {
            "x": {
                "field": "with",
                "title": None,
                "axis": {"labelAngle": angle, "orient": "top", "labelLimit": 160},
                **axis,
            },
            "y": {"field": "reviewer", "title": None, **axis},
        },
        "layer": [
            {  # every pair, withheld or not: the tooltip says what a blank cell rests on
                "mark": {"type": "rect", "opacity": 0},
                "encoding": {"tooltip": tooltip},
            },
            {
                "transform": [valid],
                "mark": "rect",
                "encoding": {
                    "color": {
                        "field": "kappa",
                        "type": "quantitative",
                        "title": "Cohen's κ",
                        "scale": {"domain": [0, 1], "clamp": True, "scheme": "blues"},
                    },
                    "tooltip": tooltip,
                },
            },
            {
                "transform": [valid],
                "mark": {"type": "text", "fontSize": 13},
                "encoding": {
                    "text": {"field": "kappa", "type": "quantitative", "format": ".2f"},
                    "color": {
                        "condition": {"test": "datum.kappa > 0.6", "value": "white"},
                        "value": "black",
                    },
                    "tooltip": tooltip,
                },
            },
        ],
    }


def distribution_spec(
    reviewers: list[str], labels: list[str], shown: Callable[[str], str] = str
) -> dict[str, Any]:
    """Each reviewer's verdicts as shares; ``labels`` are the verdicts' names (their colours),
    ``shown`` what people read for each (the data's ``verdict`` field holds it)."""
    return {
        "mark": "bar",
        "encoding": {
            "y": {"field": "reviewer", "type": "nominal", "sort": reviewers, "title": None},
            "x": {
                "field": "count",
                "type": "quantitative",
                "stack": "normalize",
                "title": "share of their verdicts",
                "axis": {"format": "%"},
            },
            "color": {
                "field": "verdict",
                "type": "nominal",
                "sort": [shown(label) for label in labels],
                "scale": {
                    "domain": [shown(label) for label in labels],
                    "range": [VERDICT_COLOURS.get(label, "#5c6bc0") for label in labels],
                },
            },
            "order": {"field": "order", "type": "quantitative"},
            "tooltip": [
                {"field": "reviewer", "type": "nominal"},
                {"field": "verdict", "type": "nominal"},
                {"field": "count", "type": "quantitative"},
                {"field": "reviews", "type": "quantitative", "title": "their verdicts"},
            ],
        },
    }


def time_spec() -> dict[str, Any]:
    rules = [
        {
            "mark": {"type": "rule", "strokeDash": [4, 4], "opacity": 0.5},
            "encoding": {"y": {"datum": threshold, "type": "quantitative"}},
        }
        for threshold in (TENTATIVE, RELIABLE)
    ]
    return {
        "layer": [
            {
                "mark": {"type": "line", "point": True},
                "encoding": {
                    "x": {"field": "week", "type": "temporal", "title": "week"},
                    "y": {"field": "value", "type": "quantitative", "title": None},
                    "color": {"field": "measure", "type": "nominal", "title": None},
                    "tooltip": [
                        {"field": "week", "type": "temporal", "format": "%Y-%m-%d"},
                        {"field": "measure", "type": "nominal"},
                        {"field": "value", "type": "quantitative", "format": ".3f"},
                        {"field": "claims", "type": "quantitative"},
                    ],
                },
            },
            *rules,
        ],
    }
