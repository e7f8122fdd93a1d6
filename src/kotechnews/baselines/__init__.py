"""Baselines: scikit-learn and transformer models for entities, relations and numeric claims.

The locations below are here (not in ``evaluation``) so that the command line can name its
defaults without importing scikit-learn, numpy or the scorer.
"""

from kotechnews.gold import PROJECT_ROOT

WORK_DIR = PROJECT_ROOT / "build" / "baselines"
MODELS_DIR = PROJECT_ROOT / "build" / "models"
