"""A throwaway local Label Studio server, and synthetic annotations, for the LS tests and benchmark.

The server runs from the separate virtualenv ``.venv-ls`` (``scripts/install-test-deps.sh``), or
from the binary named by ``KOTECHNEWS_LABEL_STUDIO_BIN``. ``label-studio init`` (about 40 s) runs
once into a template directory under ``.cache/label-studio/``; each server starts from a copy of
it in a fresh directory, bound to 127.0.0.1 on a free port, offline, with a preset API token.
"""

from __future__ import annotations

import fcntl
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kotechnews import schema
from kotechnews.document import Document
from kotechnews.labelstudio.convert import sentence_index
from kotechnews.quantity import find_quantities
from kotechnews.records import AnnotatedDocument, Claim, Entity, Relation

REPO = Path(__file__).resolve().parents[1]
BIN_VARIABLE = "KOTECHNEWS_LABEL_STUDIO_BIN"
DEFAULT_BIN = REPO / ".venv-ls" / "bin" / "label-studio"
CACHE_DIR = REPO / ".cache" / "label-studio"
INSTALL_HINT = "run scripts/install-test-deps.sh (or point KOTECHNEWS_LABEL_STUDIO_BIN at a label-studio binary)"
ADMIN_EMAIL = "admin@example.com"
START_TIMEOUT = 120.0
# Unprefixed variables that Label Studio's settings read and a developer shell may set.
CLEARED_VARIABLES = (
    "HOST",
    "PORT",
    "USERNAME",
    "PASSWORD",
    "DEBUG",
    "CI",
    "LOG_LEVEL",
    "LABEL_STUDIO_URL",
    "LABEL_STUDIO_API_KEY",
)


class LabelStudioUnavailable(RuntimeError):
    """No label-studio binary, or a server that would not start; the message says what to do."""


def label_studio_bin() -> Path:
    configured = os.environ.get(BIN_VARIABLE)
    path = Path(configured) if configured else DEFAULT_BIN
    if not (path.is_file() and os.access(path, os.X_OK)):
        source = f"{BIN_VARIABLE}={configured}" if configured else f"the default {DEFAULT_BIN}"
        raise LabelStudioUnavailable(
            f"no label-studio executable at {path} ({source}): {INSTALL_HINT}"
        )
    return path


def installed_version(binary: Path) -> str:
    """The label-studio distribution next to the binary (the template is kept per version)."""
    found = sorted(
        binary.resolve().parent.parent.glob("lib/python*/site-packages/label_studio-*.dist-info")
    )
    return found[-1].name.removesuffix(".dist-info") if found else "label_studio-unknown"


def _environment(data_dir: Path, credentials: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_VARIABLES}
    env.update(
        {
            "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
            "XDG_CONFIG_HOME": str(data_dir / "xdg"),
            "LABEL_STUDIO_USERNAME": credentials["email"],
            "LABEL_STUDIO_PASSWORD": credentials["password"],
            "LABEL_STUDIO_USER_TOKEN": credentials["token"],
            "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
            "LATEST_VERSION_CHECK": "false",
            "COLLECT_ANALYTICS": "false",
            "SENTRY_DSN": "",
            "FRONTEND_SENTRY_DSN": "",
        }
    )
    return env


def template_dir(binary: Path) -> Path:
    """An initialised data directory for this label-studio version, made once and reused."""
    template = CACHE_DIR / installed_version(binary)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with open(CACHE_DIR / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel sessions wait for one init
        if (template / "credentials.json").is_file():
            return template
        building = CACHE_DIR / f".building-{os.getpid()}"
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir()
        # Throwaway credentials of a loopback-only test server.
        credentials = {
            "email": ADMIN_EMAIL,
            "password": secrets.token_urlsafe(12),
            "token": secrets.token_hex(20),
        }
        done = subprocess.run(
            [str(binary), "init", "--no-browser"],
            cwd=building,
            env=_environment(building, credentials),
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            raise LabelStudioUnavailable(
                f"`label-studio init` failed ({done.returncode}): "
                f"{(done.stdout + done.stderr)[-2000:]}"
            )
        (building / "credentials.json").write_text(json.dumps(credentials))
        shutil.rmtree(template, ignore_errors=True)
        building.rename(template)
        return template


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@dataclass
class LabelStudioServer:
    process: subprocess.Popen
    url: str
    data_dir: Path
    email: str
    password: str
    token: str

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_bytes(self) -> int:
        """Resident memory of the server process and its children."""
        pids = [self.pid]
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.pid:
                pids.append(int(stat.parent.name))
        total = 0
        for pid in pids:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
            total += int(match.group(1)) * 1024 if match else 0
        return total

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGCONT)  # in case a test left it stopped
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def start_server(base_dir: Path, attempts: int = 3) -> LabelStudioServer:
    """Copy the template into base_dir/data and start a server on a free loopback port."""
    binary = label_studio_bin()
    template = template_dir(binary)
    credentials = json.loads((template / "credentials.json").read_text())
    data_dir = base_dir / "data"
    shutil.copytree(template, data_dir)
    env = _environment(data_dir, credentials)
    for _ in range(attempts):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log = open(data_dir / f"server-{port}.log", "wb")
        process = subprocess.Popen(
            [
                str(binary),
                "start",
                "--no-browser",
                "-d",
                "--internal-host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=data_dir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # its own process group: SIGSTOP/SIGTERM reach it all
        log.close()
        server = LabelStudioServer(
            process,
            url,
            data_dir,
            credentials["email"],
            credentials["password"],
            credentials["token"],
        )
        deadline = time.monotonic() + START_TIMEOUT
        while process.poll() is None and time.monotonic() < deadline:
            if _healthy(url):
                return server
            time.sleep(0.5)
        server.stop()
        if process.returncode not in (None, 1):  # 1 with -d: the port was taken meanwhile
            break
    tail = (data_dir / f"server-{port}.log").read_text(errors="replace")[-2000:]
    raise LabelStudioUnavailable(f"label-studio did not become healthy at {url}: {tail}")


@contextmanager
def running_server(base_dir: Path) -> Iterator[LabelStudioServer]:
    server = start_server(base_dir)
    try:
        yield server
    finally:
        server.stop()


# Synthetic annotations: made by code, for tests and the benchmark only (never under annotation/).

_WORD = re.compile(r"[A-Za-z]{2,}|[가-힣]{2,}")


def synthetic_record(document: Document, seed: int = 0) -> AnnotatedDocument:
    """An annotation of a real or generated text that the validator accepts and that uses every
    part of the schema: all entity types, canonical ids, relations allowed by the schema, and
    claims (from the quantity finder) with every attribute and both links. Not a true reading."""
    rng = random.Random(seed)
    text = document.text
    doc = AnnotatedDocument(id=document.id, text=text, document=document)
    taken: list[tuple[int, int]] = []
    for q in find_quantities(text):
        if q.unit is None or any(q.start < e and s < q.end for s, e in taken):
            continue  # the validator wants a unit; spans may not overlap
        doc.claims.append(
            Claim(
                id=f"c{len(doc.claims)}",
                start=q.start,
                end=q.end,
                text=q.text,
                value=q.value,
                low=q.low,
                high=q.high,
                unit=q.unit,
                approximate=q.approximate,
                quantity_type=rng.choice(schema.QUANTITY_TYPE_NAMES),
                property="합성 속성",
                modality=rng.choice(schema.MODALITY_NAMES),
            )
        )
        taken.append((q.start, q.end))
    for n, match in enumerate(_WORD.finditer(text)):
        if n % 3 or any(match.start() < e and s < match.end() for s, e in taken):
            continue
        etype = schema.ENTITY_TYPE_NAMES[len(doc.entities) % len(schema.ENTITY_TYPE_NAMES)]
        cid = None if etype in ("TITLE", "DATE") else f"{etype}:{match.group()}"
        doc.entities.append(
            Entity(f"e{len(doc.entities)}", match.start(), match.end(), etype, match.group(), cid)
        )
    sentences = document.sentences or ((0, len(text)),)
    for head, tail in zip(doc.entities, doc.entities[1:]):
        allowed = [
            r.name
            for r in schema.RELATION_TYPES
            if schema.relation_allowed(r.name, head.type, tail.type)
        ]
        if allowed:
            evidence = sorted(
                {sentence_index(sentences, head.start), sentence_index(sentences, tail.start)}
            )
            doc.relations.append(Relation(head.id, tail.id, rng.choice(allowed), evidence))
    dates = [e for e in doc.entities if e.type == "DATE"]
    if doc.entities:
        for claim in doc.claims:
            claim.subject = min(doc.entities, key=lambda e: abs(e.start - claim.start)).id
            claim.time = rng.choice(dates).id if dates and rng.random() < 0.5 else None
    else:
        doc.claims = []  # a claim needs a subject
    doc.entities.sort(key=lambda e: (e.start, e.end))
    return doc


_SYNTHETIC_ORGS = ("가온전자", "나래통신", "다솜반도체", "라온소프트", "마루로봇", "바다클라우드")
_SYNTHETIC_SENTENCES = (
    "{org}는 {n}억 원을 들여 인공지능 연구소를 세운다고 밝혔다.",
    "{org}의 새 모델은 약 {n}개 파라미터를 갖췄다.",
    "{org}·{org2} 두 회사는 공동 연구 협약을 맺고 {n}명을 채용할 계획이다.",
    "이번 사업에는 {n}곳 이상의 기업이 참여한다.",
)


def synthetic_document(number: int, sentences: int = 12) -> Document:
    """A generated Korean tech-news-like text (made-up companies), one paragraph."""
    rng = random.Random(number)
    parts = []
    for _ in range(sentences):
        orgs = rng.sample(_SYNTHETIC_ORGS, 2)
        parts.append(
            rng.choice(_SYNTHETIC_SENTENCES).format(
                org=orgs[0], org2=orgs[1], n=rng.randint(2, 900)
            )
        )
    text = " ".join(parts)
    spans, position = [], 0
    for part in parts:
        spans.append((position, position + len(part)))
        position += len(part) + 1
    return Document(
        id=f"synthetic-{number:05d}", text=text, sentences=spans, paragraphs=[(0, len(text))]
    )
