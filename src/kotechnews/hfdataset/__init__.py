"""The Hugging Face dataset: typed configs, splits, card, plots and the atomic build.

What the CLI names without importing ``datasets`` and matplotlib is here (not in ``build``); the
project paths are in ``kotechnews.layout``.
"""

DEFAULT_REPO_ID = "kotechnews/KoTechNews"
