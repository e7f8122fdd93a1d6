"""The Hugging Face dataset: typed configs, splits, card, plots and the atomic build.

The locations below are here (not in ``build``) so that the CLI can name its defaults without
importing ``datasets`` and matplotlib.
"""

from kotechnews.gold import PROJECT_ROOT

DATASET_DIR = PROJECT_ROOT / "dataset"
CHANGELOG = PROJECT_ROOT / "CHANGELOG.md"
DATASHEET = PROJECT_ROOT / "DATASHEET.md"
GUIDELINES = PROJECT_ROOT / "annotation" / "GUIDELINES.md"
# A release builds outside dataset/ (a dry run changes nothing that is committed), one folder and
# one local git repo per edition: the full (gated) dataset and the public, openly licensed part.
RELEASE_BUILD_DIR = PROJECT_ROOT / "build" / "release"


def release_locations(public: bool):
    """(build folder, local release git repo) of the full or the public edition."""
    edition = "public" if public else "full"
    return RELEASE_BUILD_DIR / edition, PROJECT_ROOT / "build" / f"release-repo-{edition}"


DEFAULT_REPO_ID = "kotechnews/KoTechNews"
