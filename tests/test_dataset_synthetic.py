"""A small synthetic gold (written only into tmp dirs) for the dataset, split and release tests.

The gold is made the way annotators make it: worksheets compiled against documents whose sentences
come from kotechnews.segment, wrapped as Label Studio exports by kotechnews.worksheet.gold_export,
then read back through kotechnews.gold.load_gold (which validates). Organisations, people and
numbers are fictional. Documents "a" and "b" share a near-identical sentence (one adds a clause),
as the two KT-KAIST lab articles of the seed corpus do.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from kotechnews.document import Document
from kotechnews.gold import load_gold
from kotechnews.jsonio import write_json
from kotechnews.segment import split_sentences
from kotechnews.worksheet import compile_worksheet, gold_export

SHARED = "이를 통해 사람과 유사한 대화와 추론이 가능한 언어 모델 개발에 나선다"

# key -> (paragraphs, worksheet sentences, relations); sentence keys index the segmented text.
ARTICLES = {
    "a": (
        [
            "한빛랩은 2030년 3월 부산에 음성인식 연구소를 세웠다.",
            "김도윤 소장은 한빛랩 연구원 약 200명이 상주한다고 밝혔다. " + SHARED + ".",
        ],
        {
            "0": [
                ["한빛랩", "ORG", "한빛랩"],
                ["2030년 3월", "DATE"],
                ["부산", "LOC", "부산"],
                ["음성인식", "TECH", "음성인식"],
            ],
            "1": [
                ["김도윤", "PER", "김도윤"],
                ["소장", "TITLE"],
                ["한빛랩", "ORG", "한빛랩"],
                {
                    "q": "약 200명",
                    "type": "COUNT",
                    "property": "상주 인원",
                    "modality": "PLANNED",
                    "subject": "한빛랩",
                },
            ],
        },
        [
            ["김도윤", "per:title", "소장", [1]],
            ["한빛랩", "org:located_in", "부산", [0]],
            ["한빛랩", "org:develops", "음성인식", [0]],
        ],
    ),
    "b": (
        [
            "누리소프트와 한빛랩은 공동 연구 협약을 맺었다.",
            SHARED + "는 계획이다. 누리소프트는 15개 과제를 먼저 진행한다.",
        ],
        {
            "0": [["누리소프트", "ORG", "누리소프트"], ["한빛랩", "ORG", "한빛랩"]],
            "2": [
                ["누리소프트", "ORG", "누리소프트"],
                {
                    "q": "15개",
                    "type": "COUNT",
                    "property": "과제 수",
                    "modality": "PLANNED",
                    "subject": "누리소프트",
                },
            ],
        },
        [["누리소프트", "org:partner_of", "한빛랩", [0]]],
    ),
    "c": (
        [
            "바다전자는 새 스마트 스피커 소리샘을 내놓았다.",
            "박서연 대표는 소리샘 판매량이 작년보다 2배 늘었다고 말했다.",
        ],
        {
            "0": [["바다전자", "ORG", "바다전자"], ["소리샘", "PRODUCT", "소리샘"]],
            "1": [
                ["박서연", "PER", "박서연"],
                ["대표", "TITLE"],
                ["소리샘", "PRODUCT", "소리샘"],
                {
                    "q": "2배",
                    "type": "RATIO",
                    "property": "판매량 증가",
                    "modality": "ACTUAL",
                    "subject": "소리샘",
                },
            ],
        },
        [["박서연", "per:employee_of", "바다전자", [0, 1]], ["박서연", "per:title", "대표", [1]]],
    ),
    "d": (
        [
            "푸른데이터는 대전에서 데이터센터 착공식을 열었다.",
            "푸른데이터는 2031년까지 이 시설에 300억원을 투자한다.",
        ],
        {
            "0": [["푸른데이터", "ORG", "푸른데이터"], ["대전", "LOC", "대전"]],
            "1": [
                ["푸른데이터", "ORG", "푸른데이터"],
                ["2031년", "DATE"],
                {
                    "q": "300억원",
                    "type": "MONEY",
                    "property": "투자 금액",
                    "modality": "PLANNED",
                    "subject": "푸른데이터",
                    "time": "2031년",
                },
            ],
        },
        [["푸른데이터", "org:located_in", "대전", [0]]],
    ),
    "e": (
        [
            "별빛대학교 연구팀이 딥러닝 번역 기술을 공개했다.",
            "딥러닝 번역 기술은 오류를 40% 줄인다고 한다.",
        ],
        {
            "0": [["별빛대학교", "ORG", "별빛대학교"], ["딥러닝 번역", "TECH", "딥러닝 번역"]],
            "1": [
                ["딥러닝 번역", "TECH", "딥러닝 번역"],
                {
                    "q": "40%",
                    "type": "PERCENT",
                    "property": "오류 감소율",
                    "modality": "ACTUAL",
                    "subject": "딥러닝 번역",
                },
            ],
        },
        [["별빛대학교", "org:develops", "딥러닝 번역", [0]]],
    ),
    "f": (
        [
            "미래로봇협회는 내년 상반기 서울에서 로봇 박람회를 연다.",
            "행사 이름은 로봇 미래 포럼이다.",
        ],
        {
            "0": [
                ["미래로봇협회", "ORG", "미래로봇협회"],
                ["내년 상반기", "DATE"],
                ["서울", "LOC", "서울"],
            ],
            "1": [["로봇 미래 포럼", "EVENT", "로봇 미래 포럼"]],
        },
        [["로봇 미래 포럼", "org:established_by", "미래로봇협회", [0, 1]]],
    ),
}


# Licence terms of synthetic texts: made by code for tests; "open" ones exercise the public edition.
OPEN_LICENCE, CLOSED_LICENCE = "CC BY 2.5", "research-only (synthetic test text)"


def synthetic_document(key: str, open_text: bool | None = None) -> Document:
    """A synthetic article; ``open_text`` True/False gives it an open or a research-only licence
    (None: no licence, as in a contributor's own corpus)."""
    paragraphs = ARTICLES[key][0]
    text = "\n".join(paragraphs)
    source = f"{ord(key) - ord('a'):03d}_{key * 8}.txt"
    starts = [0]
    for paragraph in paragraphs[:-1]:
        starts.append(starts[-1] + len(paragraph) + 1)
    return Document(
        id="ktn-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16],
        text=text,
        sentences=split_sentences(text),
        paragraphs=[(start, start + len(p)) for start, p in zip(starts, paragraphs)],
        source_file=source,
        outlet=f"합성일보 {key.upper()}",
        date=f"2030-0{ord(key) - ord('a') + 1}-01",
        title=paragraphs[0],
        **(
            {}
            if open_text is None
            else {
                "license": OPEN_LICENCE if open_text else CLOSED_LICENCE,
                "source": "wikinews" if open_text else "seed_scrape",
            }
        ),
    )


def write_synthetic_gold(
    gold_dir: Path, keys: str = "abcdef", open_keys: str | None = None
) -> list[Document]:
    """Write one gold export per article into gold_dir; returns the documents. With open_keys,
    those articles are openly licensed and the others research-only."""
    documents = []
    for task_id, key in enumerate(keys, start=1):
        document = synthetic_document(key, None if open_keys is None else key in open_keys)
        sheet = {
            "source_file": document.source_file,
            "sentences": ARTICLES[key][1],
            "relations": ARTICLES[key][2],
        }
        doc, _ = compile_worksheet(sheet, document)
        export = gold_export(doc, "annotator-test", "2030-01-01T00:00:00Z", task_id)
        write_json(gold_dir / f"{Path(document.source_file).stem}.json", export)
        documents.append(document)
    return documents


def test_synthetic_gold_validates_and_loads(tmp_path):
    documents = write_synthetic_gold(tmp_path)
    records = load_gold(tmp_path)
    assert sorted(d.id for d in documents) == [r.id for r in records]
    by_id = {r.id: r for r in records}
    for document in documents:
        record = by_id[document.id]
        assert record.text == document.text
        assert record.entities and record.relations
        for ent in record.entities:
            assert record.text[ent.start : ent.end] == ent.text


def write_changelog(path: Path, versions: list[str]) -> Path:
    """A changelog with one entry per version, newest first (as the real CHANGELOG.md)."""
    entries = "".join(f"## [{v}] - test\n\n- synthetic test release\n\n" for v in versions)
    path.write_text(f"# Changelog\n\n{entries}", encoding="utf-8")
    return path
