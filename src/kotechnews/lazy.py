"""Package attributes imported on first use (PEP 562), so that importing a package for one light
name (a default, a constant) does not load its heavy modules: `kotechnews --help` imports every
command module, and each must stay cheap to import."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_attributes(package: str, modules: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` giving ``name`` from ``package.modules[name]`` on first access."""

    def getattr_(name: str) -> Any:
        if name not in modules:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{modules[name]}"), name)

    return getattr_
