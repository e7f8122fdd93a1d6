"""The Hugging Face dataset: typed configs, splits, card, plots and the atomic build.

The locations below are here (not in ``build``) so that the CLI can name its defaults without
importing ``datasets`` and matplotlib.
"""

from kotechnews.gold import PROJECT_ROOT

DATASET_DIR = PROJECT_ROOT / "dataset"
CHANGELOG = PROJECT_ROOT / "CHANGELOG.md"
DATASHEET = PROJECT_ROOT / "DATASHEET.md"
GUIDELINES = PROJECT_ROOT / "annotation" / "GUIDELINES.md"
RELEASE_REPO = PROJECT_ROOT / "build" / "release-repo"
DEFAULT_REPO_ID = "kotechnews/KoTechNews"
