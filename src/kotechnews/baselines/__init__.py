"""Baselines: scikit-learn and transformer models for entities, relations and numeric claims."""
