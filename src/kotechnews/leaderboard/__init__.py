"""The leaderboard: submissions scored from their predictions, and LEADERBOARD.md and a static,
sortable index.html with one table per protocol and task.

``kotechnews leaderboard add PREDICTIONS.jsonl --name NAME --protocol test|cross-validation``
reads the predictions with the scorer's reader and scores them against the gold of the protocol
(``kotechnews.leaderboard.submissions``, ``.dataset``); a result JSON is refused. The baselines
write the same record into ``baselines/results/*.json``. ``kotechnews leaderboard render``
(``.rendering``) shows both.

Result JSON (format ``kotechnews-result/1``; what ``kotechnews score --json`` prints, plus the
entry fields). All scores are fractions in [0, 1]::

    {
      "format": "kotechnews-result/1",
      "name": "My system" | null,          # required on the leaderboard; 1-80 printable chars
      "url": "https://..." | null,         # code or model; http(s) only
      "revision": "3f2c1ab" | null,        # of the code or model; 1-100 printable chars
      "protocol": "test split" | "cross-validation",   # older baseline files: baseline.protocol
      "scored_by": "kotechnews leaderboard add" | "kotechnews baseline run" | null,
      "dataset": {"source": "dataset", "version": "0.2.0"} | null,
      "date": "2026-05-09T12:00:00+00:00", # when it was scored (UTC, ISO 8601)
      "gold": {"source": "split:test", "documents": 120, "fingerprint": "<sha256>"},
      "submission": {"source": "pred.jsonl", "documents": 120, "fingerprint": "<sha256>"},
      "train": {"source": ..., "documents": ..., "fingerprint": ...} | null,
      "bootstrap": {"samples": 1000, "seed": 0, "confidence": 0.95},
      "options": {"value_rtol": 0.0},
      "tasks": {                           # any of entities, relations, claims
        "entities": {
          "headline": ["strict_f1", "partial_f1", "char_f1"],
          "metrics": {"strict_f1": {"value": 0.81, "ci": [0.78, 0.84] | null}, ...},
          "totals": {"gold": 812.0, ...},  # summed counts behind the metrics
          "per_type": {"ORG": {"precision": ..., "recall": ..., "f1": ..., "support": ...,
                               "predicted": ...}, ...}   # entities and relations only
        }, ...
      },
      "folds": [{"fold": 0, "documents": 5, "headline": {...}}, ...],  # cross-validation entries
      "warnings": ["..."],                 # e.g. gold documents missing from the submission
      "versions": {"kotechnews": "0.1.0", "schema": "1.0.0", "numpy": "...", "python": "..."}
    }

A file in ``leaderboard/results`` without ``scored_by: "kotechnews leaderboard add"`` (put there
by hand) is shown as *self-reported*. The metric definitions are in the docstrings of
``kotechnews.scoring.entities``, ``.relations`` and ``.claims``.
"""

from kotechnews.lazy import lazy_attributes
from kotechnews.leaderboard.entries import (
    PROTOCOLS,
    SCORED_BY_BASELINE,
    SCORED_BY_SUBMISSION,
    Entry,
    LeaderboardError,
    collect_entries,
    entry_filename,
    load_result,
    result_problems,
    store_result,
)

__all__ = [
    "PROTOCOLS",
    "SCORED_BY_BASELINE",
    "SCORED_BY_SUBMISSION",
    "Entry",
    "LeaderboardError",
    "collect_entries",
    "entry_filename",
    "load_result",
    "result_problems",
    "store_result",
]

_MODULES = {
    **dict.fromkeys(
        ("boards", "markdown_escape", "render", "render_html", "render_markdown"), "rendering"
    ),
    **dict.fromkeys(("add_submission", "score_predictions"), "submissions"),
    **dict.fromkeys(("DatasetReference", "dataset_reference", "protocol_gold"), "dataset"),
}
__all__ += sorted(_MODULES)  # the lazy attributes
__getattr__ = lazy_attributes(__name__, _MODULES)
