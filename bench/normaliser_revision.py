"""Load the quantity normaliser of an earlier git revision, to measure it beside this one in one run."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
NORMALISER = "src/kotechnews/quantity/normalise.py"


def load_normaliser(revision: str | None) -> ModuleType:
    """This checkout's normaliser (None), or the one committed at ``revision`` (it imports only the
    standard library, so its source runs on its own)."""
    if revision is None:
        from kotechnews.quantity import normalise

        return normalise
    source = subprocess.run(
        ["git", "show", f"{revision}:{NORMALISER}"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    spec = importlib.util.spec_from_loader(f"normalise_{revision}", loader=None)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    exec(compile(source, f"{revision}:{NORMALISER}", "exec"), module.__dict__)  # noqa: S102
    return module
