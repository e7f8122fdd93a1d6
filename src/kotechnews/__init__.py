"""KoTechNews: information extraction benchmark for Korean technology news."""

__version__ = "0.2.0"
