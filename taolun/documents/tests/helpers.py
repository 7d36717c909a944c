"""Reading back what the writers saved."""

from __future__ import annotations

import io

import docx


def open_docx(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))
