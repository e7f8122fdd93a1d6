"""Sentence and morpheme offsets: nothing lost, nothing shifted."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kotechnews.segment import Morpheme, kiwi, split_sentences, tokenize_morphemes

HANGUL = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
LATIN = st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
DIGIT = st.sampled_from("0123456789")
PUNCT = st.sampled_from(".,!?;:'\"‘’“”()[]·…%-~/=+")
SPACE = st.sampled_from([" ", " ", " ", "\n", "\n\n", "\t", "\u00a0", "\u3000"])
ENDING = st.sampled_from(["다.", "다. ", "요? ", "까!", "했다.\n", "이다…", '다"고 말했다. '])

korean_like = st.lists(
    st.one_of(HANGUL, HANGUL, HANGUL, LATIN, DIGIT, PUNCT, SPACE, ENDING), max_size=120
).map("".join)


def assert_sentences_cover(text: str, spans: list[tuple[int, int]]) -> None:
    position = 0
    rebuilt = []
    for start, end in spans:
        assert position <= start < end <= len(text)
        gap = text[position:start]
        assert gap.strip() == "", f"non-space characters outside sentences: {gap!r}"
        sentence = text[start:end]
        assert sentence == sentence.strip()
        assert "\n" not in sentence
        rebuilt += [gap, sentence]
        position = end
    assert text[position:].strip() == ""
    rebuilt.append(text[position:])
    assert "".join(rebuilt) == text


@settings(max_examples=300, deadline=None)
@given(korean_like)
def test_sentences_cover_text_without_loss(text):
    assert_sentences_cover(text, split_sentences(text))


@settings(max_examples=300, deadline=None)
@given(korean_like)
def test_morpheme_offsets_in_bounds_and_monotonic(text):
    morphemes = tokenize_morphemes(text)
    previous_start = 0
    for morpheme in morphemes:
        assert isinstance(morpheme, Morpheme)
        assert previous_start <= morpheme.start <= morpheme.end <= len(text)
        previous_start = morpheme.start
        # A morpheme never covers a paragraph break or starts on whitespace.
        assert "\n" not in text[morpheme.start : morpheme.end]
        if morpheme.end > morpheme.start:
            assert not text[morpheme.start].isspace()


def test_sentences_of_a_news_paragraph():
    text = (
        "KT가 AI원팀 참여기관과 공동 연구 협약을 체결했다고 18일 밝혔다. "
        "이번 협약으로 본격적 프로젝트 수행에 나선다는 계획이다.\n"
        '구현모 KT 대표는 "지원을 아끼지 않을 것"이라고 말했다.'
    )
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == [
        "KT가 AI원팀 참여기관과 공동 연구 협약을 체결했다고 18일 밝혔다.",
        "이번 협약으로 본격적 프로젝트 수행에 나선다는 계획이다.",
        '구현모 KT 대표는 "지원을 아끼지 않을 것"이라고 말했다.',
    ]


def test_sentence_offsets_are_code_points_after_astral_characters():
    text = "😀 이모지 뒤 문장이다. 두 번째 문장이다."
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == ["😀 이모지 뒤 문장이다.", "두 번째 문장이다."]


def test_sentences_never_cross_a_newline_even_without_final_punctuation():
    text = " 제목 없는 줄\n본문 문장이다 "
    assert [text[s:e] for s, e in split_sentences(text)] == ["제목 없는 줄", "본문 문장이다"]


def test_empty_and_blank_text_have_no_sentences_or_morphemes():
    for text in ["", "  ", "\n\n", "\u00a0"]:
        assert split_sentences(text) == []
        assert tokenize_morphemes(text) == []


def test_morpheme_forms_are_normalised_but_offsets_index_the_text():
    text = "회의를 진행했다. 연구소인 KT"
    covered = {(m.form, m.tag): text[m.start : m.end] for m in tokenize_morphemes(text)}
    # Kiwi splits 했 into 하 + 었 and 인 into 이 + ᆫ: the forms differ from the text they cover.
    assert covered[("하", "XSV")] == "했" and covered[("었", "EP")] == "했"
    assert covered[("ᆫ", "ETM")] == "인"
    assert covered[("회의", "NNG")] == "회의" and covered[("KT", "SL")] == "KT"


def test_particle_after_latin_name_is_its_own_morpheme():
    text = "24일 KT에 따르면"
    tagged = [(m.form, m.tag, text[m.start : m.end]) for m in tokenize_morphemes(text)]
    assert ("KT", "SL", "KT") in tagged
    assert ("에", "JKB", "에") in tagged


def test_analyser_is_created_once():
    assert kiwi() is kiwi()
