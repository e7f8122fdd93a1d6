"""Settings shared by the fuzz suites (test_fuzz_*.py).

`make test` runs a quick profile (well under a minute for all suites together). A longer,
nightly-style run: ``KOTECHNEWS_FUZZ=nightly .venv/bin/pytest tests/test_fuzz_*.py``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

PROFILES = {"quick": 200, "nightly": 3000}
PROFILE = os.environ.get("KOTECHNEWS_FUZZ", "quick")
if PROFILE not in PROFILES:
    raise RuntimeError(f"KOTECHNEWS_FUZZ={PROFILE!r}: choose one of {', '.join(PROFILES)}")

fuzz_settings = settings(
    max_examples=PROFILES[PROFILE],
    deadline=None,  # hangs are bounded by the explicit time limits of each suite, not per example
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
    derandomize=PROFILE == "quick",  # the same examples on every `make test`: CI stays repeatable
)
