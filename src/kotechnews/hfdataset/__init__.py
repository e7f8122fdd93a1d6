"""The Hugging Face dataset: typed configs, splits, card, plots and the atomic build."""
