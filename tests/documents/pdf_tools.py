"""The command-line tools the document tests read PDFs with (poppler-utils: pdffonts, pdftotext,
pdftoppm; zbar-tools: zbarimg), and pyHanko's validator. scripts/setup.sh installs the tools with
apt-get when it can; a test that needs a missing one skips and names the package."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from io import BytesIO
from pathlib import Path

import pytest

_PACKAGES = {"pdffonts": "poppler-utils", "pdftotext": "poppler-utils", "pdftoppm": "poppler-utils",
             "zbarimg": "zbar-tools"}


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed (apt-get install {_PACKAGES[tool]}; scripts/setup.sh does it as root)")
    return path


def _run(tool: str, *args: str, pdf: bytes) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(pdf)
        return subprocess.run([need(tool), *args, str(path), "-"] if tool == "pdftotext" else [need(tool), *args, str(path)],
                              check=True, capture_output=True, text=True, timeout=60).stdout


def text_of(pdf: bytes) -> str:
    return _run("pdftotext", "-enc", "UTF-8", pdf=pdf)


def fonts_of(pdf: bytes) -> list[str]:
    """The embedded fonts' names without the subset prefix (`ABCDEF+`)."""
    lines = _run("pdffonts", pdf=pdf).splitlines()[2:]
    return [line.split()[0].split("+", 1)[-1] for line in lines if line.strip()]


def qr_codes_of(pdf: bytes) -> list[str]:
    """The QR codes zbarimg reads on the first page (rendered at 150 dpi)."""
    need("zbarimg")
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "doc.pdf").write_bytes(pdf)
        subprocess.run([need("pdftoppm"), "-r", "150", "-png", "-f", "1", "-l", "1", "doc.pdf", "page"],
                       cwd=tmp, check=True, timeout=60)
        page = next(Path(tmp).glob("page*.png"))
        out = subprocess.run([need("zbarimg"), "-q", "--raw", str(page)], capture_output=True, text=True, timeout=60)
        return [line for line in out.stdout.splitlines() if line]


def validate(pdf: bytes, root_pem: Path):  # type: ignore[no-untyped-def]
    """pyHanko's status of the one signature, trusting the development root."""
    from asn1crypto import pem, x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    _, _, der = pem.unarmor(root_pem.read_bytes())
    reader = PdfFileReader(BytesIO(pdf))
    (signature,) = reader.embedded_signatures
    return validate_pdf_signature(signature, ValidationContext(trust_roots=[x509.Certificate.load(der)]))
