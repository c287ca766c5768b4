"""PAdES signatures (pyHanko) behind one small interface, `DocumentSigner.sign(pdf) -> pdf`.

- `Pkcs12Signer`: an RSA/ECDSA key in a PKCS#12 file (settings.signing_pkcs12 + passphrase),
  parsed once; each signature reserves its room (`bytes_reserved`) so pyHanko signs once instead
  of signing a dry run to measure the size.
- `development_signer(settings)`: a root CA and a signing certificate generated at first use
  (cryptography) and kept under settings.dev_signing_dir (the data dir, never in git).
- The national CA (NCA RK) issues GOST 34.310 keys, which pyHanko cannot use: production plugs an
  external signing service (or an HSM) in behind `DocumentSigner`; RSA/ECDSA keys work directly.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import functools
import secrets
import threading
from io import BytesIO
from pathlib import Path
from typing import Protocol

from settings import Settings

__all__ = ["DocumentSigner", "Pkcs12Signer", "development_signer", "signer_for"]

BYTES_RESERVED = 16384  # a CMS with a two-certificate ECDSA/RSA-3072 chain fits with room to spare
FIELD_NAME = "AuthoritySignature"


class DocumentSigner(Protocol):
    """Signs a PDF and returns the signed PDF; `name` is who signed (stored on the document)."""

    name: str

    def sign(self, pdf: bytes) -> bytes: ...


class Pkcs12Signer:
    """A key from a PKCS#12 file, loaded once; thread-safe (renders run in worker threads)."""

    def __init__(self, path: str | Path, passphrase: bytes | None) -> None:
        from pyhanko.sign import signers

        self._signer = signers.SimpleSigner.load_pkcs12(str(path), passphrase=passphrase)
        if self._signer is None:
            raise ValueError(f"cannot load the signing key from {path}")
        self.name = self._signer.signing_cert.subject.human_friendly
        self._lock = threading.Lock()

    def sign(self, pdf: bytes) -> bytes:
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import signers
        from pyhanko.sign.fields import SigSeedSubFilter

        writer = IncrementalPdfFileWriter(BytesIO(pdf))
        meta = signers.PdfSignatureMetadata(field_name=FIELD_NAME, subfilter=SigSeedSubFilter.PADES)
        with self._lock:
            out = signers.PdfSigner(meta, signer=self._signer).sign_pdf(writer, bytes_reserved=BYTES_RESERVED)
        return out.getvalue()


def _write_dev_chain(directory: Path, passphrase: bytes) -> None:
    """A root CA and a signing certificate (ECDSA P-256), the key only in the PKCS#12 file."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Development only"),
                          x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    root_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    root = (x509.CertificateBuilder().subject_name(name("Registry development root CA"))
            .issuer_name(name("Registry development root CA")).public_key(root_key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .sign(root_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder().subject_name(name("Registry development document signer"))
            .issuer_name(root.subject).public_key(leaf_key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=1825))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .sign(root_key, hashes.SHA256()))
    directory.mkdir(parents=True, exist_ok=True)
    p12 = pkcs12.serialize_key_and_certificates(
        b"signer", leaf_key, leaf, [root], serialization.BestAvailableEncryption(passphrase))
    (directory / "root.pem").write_bytes(root.public_bytes(serialization.Encoding.PEM))
    tmp = directory / ".signer.p12.tmp"
    tmp.write_bytes(p12)
    tmp.chmod(0o600)
    tmp.replace(directory / "signer.p12")


_dev_lock = threading.Lock()


def development_signer(directory: str | Path) -> Pkcs12Signer:
    """The development chain under `directory`, generated the first time."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    secret = directory / "passphrase"
    # One generator across threads and processes (API and workers starting together).
    with _dev_lock, open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (directory / "signer.p12").exists():
            secret.write_text(secrets.token_urlsafe(24))
            secret.chmod(0o600)
            _write_dev_chain(directory, secret.read_text().encode())
        return Pkcs12Signer(directory / "signer.p12", secret.read_text().encode())


@functools.cache
def _cached(pkcs12: str | None, passphrase: str | None, dev_dir: str) -> DocumentSigner:
    if pkcs12:
        return Pkcs12Signer(pkcs12, passphrase.encode() if passphrase else None)
    return development_signer(dev_dir)


def signer_for(settings: Settings) -> DocumentSigner:
    """The signer the settings name, built once per process (production refuses the dev chain)."""
    if not settings.signing_pkcs12 and not settings.development:
        raise RuntimeError("SIGNING_PKCS12 is required outside development")
    return _cached(settings.signing_pkcs12, settings.signing_passphrase, settings.dev_signing_dir)
