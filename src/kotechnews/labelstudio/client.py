"""Label Studio server operations with bounded retries.

Every call goes through ``LabelStudioClient._call``: connection failures, timeouts, 401 and
408/429/5xx answers are retried with exponential backoff (``RetryPolicy``); after the last
attempt a ``LabelStudioError`` names the server URL, the operation and every attempt's reason.
Other 4xx answers are not retried (the request itself is wrong). The SDK's own retries are
switched off so that the policy here is the only one.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from kotechnews.document import DOC_ID
from kotechnews.errors import KoTechNewsError
from kotechnews.jsonio import iter_json_array
from kotechnews.labelstudio.config import ServerSettings

T = TypeVar("T")

RETRIED_STATUS = {401, 408, 429}
# Full export: annotators expanded, predictions with their results, every kind of annotation.
EXPORT_SERIALIZATION = {
    "predictions": {"only_id": False},
    "annotations__completed_by": {"only_id": False},
}
EXPORT_ANNOTATION_FILTER = {"usual": True, "ground_truth": True, "skipped": True}
TASK_PAGE_SIZE = 500
DOWNLOAD_CHUNK_BYTES = 1 << 20  # the export is written to disk as it arrives


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # tries in total, first one included
    initial_delay: float = 0.5  # seconds before the first retry; doubles each time
    max_delay: float = 8.0
    timeout: float = 60.0  # seconds per HTTP request

    def delay(self, failed_attempt: int) -> float:
        return min(self.initial_delay * 2 ** (failed_attempt - 1), self.max_delay)


class LabelStudioError(KoTechNewsError, RuntimeError):
    """A server operation that failed for good; the message names URL, operation and reasons."""

    def __init__(self, url: str, operation: str, reasons: Sequence[str]):
        self.url, self.operation, self.reasons = url, operation, list(reasons)
        tries = f"{len(reasons)} attempt{'s' if len(reasons) != 1 else ''}"
        super().__init__(
            f"Label Studio at {url}: {operation} failed after {tries}: "
            + "; ".join(_numbered(reasons))
        )

    @property
    def attempts(self) -> int:
        return len(self.reasons)


def _numbered(reasons: Sequence[str]) -> list[str]:
    """'#1 a; #2-#4 b': attempts that failed for the same reason in a row are listed once."""
    runs: list[list] = []
    for n, reason in enumerate(reasons, 1):
        if runs and runs[-1][2] == reason:
            runs[-1][1] = n
        else:
            runs.append([n, n, reason])
    return [
        f"#{first}{f'-#{last}' if last > first else ''} {reason}" for first, last, reason in runs
    ]


class _Retryable(Exception):
    """A failure worth another attempt."""


def _body_excerpt(body: Any) -> str:
    if isinstance(body, dict) and "detail" in body:  # Label Studio's error body
        body = {k: body[k] for k in ("detail", "validation_errors") if body.get(k)}
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False, default=str)
    return text if len(text) <= 300 else text[:300] + "..."


def _api_error() -> type[Exception]:
    # the SDK and its HTTP library are imported on first use: importing them takes a second, and
    # `kotechnews --help` or any command that talks to no server should not pay for it
    from label_studio_sdk.core.api_error import ApiError

    return ApiError


def _http_error() -> type[Exception]:
    import httpx

    return httpx.HTTPError


def _reason(exc: BaseException, timeout: float) -> tuple[str, bool]:
    """Human-readable reason for a failed request and whether it is worth retrying."""
    import httpx

    ApiError = _api_error()
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer within {timeout:g} s ({type(exc).__name__})", True
    if isinstance(exc, httpx.TransportError):
        return f"cannot reach the server ({type(exc).__name__}: {exc})", True
    if isinstance(exc, ApiError):
        status = exc.status_code
        if status == 401:
            return (
                f"HTTP 401 unauthorized: check LABEL_STUDIO_API_KEY ({_body_excerpt(exc.body)})"
            ), True
        retry = status is None or status in RETRIED_STATUS or status >= 500
        return f"HTTP {status}: {_body_excerpt(exc.body)}", retry
    return f"{type(exc).__name__}: {exc}", False


class LabelStudioClient:
    """The server operations KoTechNews needs, each retried under one policy."""

    def __init__(
        self,
        settings: ServerSettings,
        retry: RetryPolicy = RetryPolicy(),
        *,
        on_attempt: Callable[[str, int], None] | None = None,
        on_retry: Callable[[str, int, str, float], None] | None = None,
    ):
        """on_attempt(operation, attempt) runs before each attempt; on_retry(operation,
        failed_attempt, reason, delay) before each backoff sleep."""
        self.url = settings.url
        self.retry = retry
        self.on_attempt = on_attempt
        self.on_retry = on_retry
        from label_studio_sdk import LabelStudio

        try:
            self._sdk = LabelStudio(
                base_url=settings.url,
                api_key=settings.api_key,
                timeout=retry.timeout,
                max_retries=0,
            )
        except _api_error() as exc:  # an expired personal access token is rejected up front
            raise LabelStudioError(self.url, "connect", [_reason(exc, retry.timeout)[0]]) from None

    def _call(self, operation: str, action: Callable[[int], T]) -> T:
        """Run action(attempt) until it succeeds or the policy gives up."""
        reasons: list[str] = []
        for attempt in range(1, self.retry.attempts + 1):
            if self.on_attempt:
                self.on_attempt(operation, attempt)
            try:
                return action(attempt)
            except (_http_error(), _api_error()) as exc:
                reason, retryable = _reason(exc, self.retry.timeout)
            except _Retryable as exc:
                reason, retryable = str(exc), True
            reasons.append(reason)
            if not retryable or attempt == self.retry.attempts:
                break
            delay = self.retry.delay(attempt)
            if self.on_retry:
                self.on_retry(operation, attempt, reason, delay)
            time.sleep(delay)
        raise LabelStudioError(self.url, operation, reasons)

    # Projects

    def find_project(self, title: str) -> dict[str, Any] | None:
        """The project with exactly this title (the lowest id if several), or None."""

        def action(_: int) -> dict[str, Any] | None:
            matches = [
                p for p in self._sdk.projects.list(title=title, page_size=100) if p.title == title
            ]
            return min(matches, key=lambda p: p.id).dict() if matches else None

        return self._call(f"find project {title!r}", action)

    def get_project(self, project_id: int) -> dict[str, Any]:
        return self._call(
            f"get project {project_id}", lambda _: self._sdk.projects.get(project_id).dict()
        )

    def create_project(
        self, title: str, label_config: str, description: str = ""
    ) -> dict[str, Any]:
        def action(attempt: int) -> dict[str, Any]:
            # A create whose answer was lost may have happened: look before creating again.
            existing = self.find_project(title) if attempt > 1 else None
            return (
                existing
                or self._sdk.projects.create(
                    title=title, label_config=label_config, description=description
                ).dict()
            )

        return self._call(f"create project {title!r}", action)

    def update_label_config(self, project_id: int, label_config: str) -> dict[str, Any]:
        return self._call(
            f"update the labeling config of project {project_id}",
            lambda _: self._sdk.projects.update(project_id, label_config=label_config).dict(),
        )

    # Tasks

    def task_ids_by_doc_id(self, project_id: int) -> dict[str, int]:
        """doc_id -> task id of every task of the project that carries a doc_id."""

        def action(_: int) -> dict[str, int]:
            found: dict[str, int] = {}
            # Only id and data: the full task listing is several times slower.
            for task in self._sdk.tasks.list(
                project=project_id, fields="task_only", include="id,data", page_size=TASK_PAGE_SIZE
            ):
                doc_id = (task.data or {}).get(DOC_ID)
                if doc_id is not None:
                    found.setdefault(str(doc_id), task.id)
            return found

        return self._call(f"list the tasks of project {project_id}", action)

    def import_new_tasks(self, project_id: int, tasks: Sequence[dict[str, Any]]) -> list[int]:
        """Import the tasks whose data.doc_id is not in the project yet; ids of the new tasks.

        A retry first re-reads the project's doc_ids, so an import whose answer was lost is
        not imported twice.
        """

        def action(attempt: int) -> list[int]:
            pending = list(tasks)
            if attempt > 1:
                present = self.task_ids_by_doc_id(project_id)
                pending = [t for t in tasks if str(t["data"][DOC_ID]) not in present]
            if not pending:
                return []
            response = self._sdk.projects.import_tasks(
                project_id, request=pending, return_task_ids=True
            )
            return list(response.task_ids or [])

        return self._call(f"import {len(tasks)} tasks into project {project_id}", action)

    # Export

    def export_tasks(self, project_id: int, poll_interval: float = 0.2) -> list[dict[str, Any]]:
        """Full JSON export of every task (``export_to_file``), read whole into a list; for small
        projects and tests (``ls pull`` reads the file task by task)."""
        with tempfile.TemporaryDirectory(prefix="kotechnews-export-") as tmp:
            path = Path(tmp) / "export.json"
            self.export_to_file(project_id, path, poll_interval)
            return [task for task, _ in iter_json_array(path)]

    def export_to_file(
        self, project_id: int, path: str | os.PathLike, poll_interval: float = 0.2
    ) -> int:
        """Download the full JSON export of every task (annotations of all kinds with their
        annotators and timestamps, predictions with their results) into path, streamed in
        chunks; the size in bytes. The server-side snapshot is deleted after the download.
        A download that is cut short or is not a JSON array is retried."""
        path = Path(path)

        def create(_: int) -> int:
            snapshot = self._sdk.projects.exports.create(
                project_id,
                serialization_options=EXPORT_SERIALIZATION,
                annotation_filter_options=EXPORT_ANNOTATION_FILTER,
            )
            return snapshot.id

        def wait(export_id: int) -> None:
            # Community exports finish synchronously; poll anyway, bounded by the request timeout.
            deadline = time.monotonic() + self.retry.timeout
            while True:
                status = self._sdk.projects.exports.get(project_id, export_id).status
                if status == "completed":
                    return
                if status == "failed":
                    raise LabelStudioError(
                        self.url,
                        f"export of project {project_id}",
                        [f"export {export_id} failed on the server"],
                    )
                if time.monotonic() > deadline:
                    raise _Retryable(
                        f"export {export_id} still {status!r} after {self.retry.timeout:g} s"
                    )
                time.sleep(poll_interval)

        def download(export_id: int) -> int:
            size, first, last = 0, b"", b""
            with open(path, "wb") as handle:  # each attempt starts the file again
                for chunk in self._sdk.projects.exports.download(
                    project_id,
                    export_id,
                    export_type="JSON",
                    request_options={"chunk_size": DOWNLOAD_CHUNK_BYTES},
                ):
                    handle.write(chunk)
                    size += len(chunk)
                    first = first or chunk.lstrip()[:1]
                    last = chunk.rstrip()[-1:] or last
            # The whole file is parsed only later, task by task; an array that does not close
            # is a download cut short, worth another attempt.
            if (first, last) != (b"[", b"]"):
                raise _Retryable(
                    f"export download is not a complete JSON array ({size} bytes, "
                    f"starting {first!r}, ending {last!r})"
                )
            return size

        export_id = self._call(f"create an export of project {project_id}", create)
        self._call(
            f"wait for export {export_id} of project {project_id}", lambda _: wait(export_id)
        )
        size = self._call(
            f"download export {export_id} of project {project_id}", lambda _: download(export_id)
        )
        self._call(
            f"delete export {export_id} of project {project_id}",
            lambda _: self._sdk.projects.exports.delete(project_id, export_id),
        )
        return size

    # ML backends

    def connect_ml_backend(self, project_id: int, url: str, title: str) -> dict[str, Any]:
        """Connect the ML backend at url to the project; the server calls its /health and /setup
        first and refuses a backend that fails them. One already connected at url is returned
        as it is, so connecting twice (or a retry after a lost answer) adds nothing."""

        def action(_: int) -> dict[str, Any]:
            for backend in self._sdk.ml.list(project=project_id):
                if backend.url.rstrip("/") == url.rstrip("/"):
                    return backend.dict()
            return self._sdk.ml.create(project=project_id, url=url, title=title).dict()

        return self._call(f"connect the ML backend {url} to project {project_id}", action)


def batches(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
