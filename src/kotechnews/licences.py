"""Which article texts may be published openly: the public release and the test split hold only
these. Seed scrapes belong to their outlets (research use only); Korean Wikinews is CC BY 2.5."""

from __future__ import annotations

from kotechnews.records import AnnotatedDocument

OPEN_TEXT_LICENSES = frozenset({"CC BY 2.5"})


def is_openly_licensed(doc: AnnotatedDocument) -> bool:
    return doc.document is not None and doc.document.license in OPEN_TEXT_LICENSES
