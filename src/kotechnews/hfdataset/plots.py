"""Statistics plots for the dataset card (matplotlib PNGs, deterministic bytes).

Article labels may be Korean. The font is Nanum Gothic as the PyPI package koreanize-matplotlib
ships it (with matplotlib pinned), so the PNG bytes are the same on every machine, whatever fonts
the system has.
"""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from kotechnews import schema  # noqa: E402
from kotechnews.hfdataset.stats import Statistics  # noqa: E402
from kotechnews.splits import SPLIT_NAMES  # noqa: E402


def _packaged_font() -> Path:
    # located without importing the package: its import changes matplotlib's settings
    spec = importlib.util.find_spec("koreanize_matplotlib")
    return Path(spec.origin).parent / "fonts" / "NanumGothic.ttf"


KOREAN_FONT = _packaged_font()


def use_korean_font(font: Path = KOREAN_FONT) -> None:
    """Make matplotlib draw Hangul with the packaged font."""
    font_manager.fontManager.addfont(str(font))
    matplotlib.rcParams["font.family"] = font_manager.FontProperties(fname=str(font)).get_name()
    matplotlib.rcParams["axes.unicode_minus"] = False


def _png(figure) -> bytes:
    for axis in figure.axes:  # the labelled axis holds counts: integer ticks only
        for ticks, label in ((axis.xaxis, axis.get_xlabel()), (axis.yaxis, axis.get_ylabel())):
            if label:
                ticks.set_major_locator(MaxNLocator(integer=True))
    buffer = io.BytesIO()
    # No Software/date metadata, so two builds give the same bytes.
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


def _stacked_bars(axis, categories, layers: dict[str, list[int]], horizontal: bool) -> None:
    base = [0] * len(categories)
    for name, values in layers.items():
        if horizontal:
            axis.barh(categories, values, left=base, label=name)
        else:
            axis.bar(categories, values, bottom=base, label=name)
        base = [b + v for b, v in zip(base, values)]


def entity_types_plot(stats: Statistics) -> bytes:
    figure, axis = plt.subplots(figsize=(7, 3.5))
    _stacked_bars(
        axis,
        schema.ENTITY_TYPE_NAMES,
        {
            split: [stats.entity_types_per_split[split][t] for t in schema.ENTITY_TYPE_NAMES]
            for split in SPLIT_NAMES
        },
        horizontal=False,
    )
    axis.set_title("Entity mentions per type and split")
    axis.set_ylabel("mentions")
    axis.legend()
    return _png(figure)


def entities_per_article_plot(stats: Statistics, article_names: dict[str, str]) -> bytes:
    articles = sorted(stats.entity_types_per_article)
    figure, axis = plt.subplots(figsize=(8, 0.25 * len(articles) + 1.5))
    _stacked_bars(
        axis,
        [article_names.get(a, a) for a in articles],
        {
            t: [stats.entity_types_per_article[a][t] for a in articles]
            for t in schema.ENTITY_TYPE_NAMES
        },
        horizontal=True,
    )
    axis.invert_yaxis()
    axis.set_title("Entity mentions per article and type")
    axis.set_xlabel("mentions")
    axis.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
    return _png(figure)


def relation_types_plot(stats: Statistics) -> bytes:
    figure, axis = plt.subplots(figsize=(7, 4))
    names = schema.RELATION_TYPE_NAMES
    axis.barh(names, [stats.relation_types[n] for n in names])
    axis.invert_yaxis()
    axis.set_title("Relations per type")
    axis.set_xlabel("relations")
    return _png(figure)


def claim_types_plot(stats: Statistics) -> bytes:
    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5))
    left.bar(
        schema.QUANTITY_TYPE_NAMES, [stats.quantity_types[n] for n in schema.QUANTITY_TYPE_NAMES]
    )
    left.set_title("Numeric claims per quantity_type")
    plt.setp(left.get_xticklabels(), rotation=45, ha="right")
    right.bar(schema.MODALITY_NAMES, [stats.modalities[n] for n in schema.MODALITY_NAMES])
    right.set_title("Numeric claims per modality")
    plt.setp(right.get_xticklabels(), rotation=45, ha="right")
    right.set_ylabel("claims")
    left.set_ylabel("claims")
    return _png(figure)


def render_plots(stats: Statistics, article_names: dict[str, str]) -> dict[str, bytes]:
    """PNG bytes by file name; ``article_names`` are the labels of the per-article plot."""
    with plt.style.context("default"):  # restores the caller's rcParams afterwards
        use_korean_font()
        images = {
            "entity_types.png": entity_types_plot(stats),
            "entities_per_article.png": entities_per_article_plot(stats, article_names),
            "relation_types.png": relation_types_plot(stats),
            "claim_types.png": claim_types_plot(stats),
        }
    return images
