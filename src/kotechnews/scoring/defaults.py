"""What the scorer does unless told otherwise; here, without numpy, so that command-line defaults
cost nothing to import."""

from kotechnews import schema

# the scored tasks, in report order (each a module of kotechnews.scoring with this NAME)
TASK_NAMES: tuple[str, ...] = schema.TASK_NAMES
DEFAULT_BOOTSTRAP = 1000
RESULT_FORMAT = "kotechnews-result/1"  # the format tag of a scored result file
# Evaluation protocols (the baselines' names for them) and their titles in result files
PROTOCOL_TITLES = {"cv": "cross-validation", "test": "test split"}
