"""PAdES signatures (pyHanko) behind one small interface, `DocumentSigner.sign(pdf) -> pdf`.

- `Pkcs12Signer`: an RSA/ECDSA key in a PKCS#12 file (settings.signing_pkcs12 + passphrase),
  parsed once; each signature reserves its room (`bytes_reserved`) so pyHanko signs once instead
  of signing a dry run to measure the size.
- `Pkcs11Signer`: a key that never leaves an HSM (PKCS#11 module, token label, PIN, key label from
  settings); one session, logged in once per process, serves every signature.
- `development_signer(settings)`: a root CA and a signing certificate generated at first use
  (cryptography) and kept under settings.dev_signing_dir (the data dir, never in git).
- With settings.signing_tsa_url, every signature carries an RFC 3161 timestamp from that
  authority (pyHanko's HTTPTimeStamper); without it, the signing time is the signer's own claim.
- The national CA (NCA RK) issues GOST 34.310 keys, which pyHanko cannot use: production plugs an
  external signing service in behind `DocumentSigner`; RSA/ECDSA keys work directly.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import functools
import secrets
import threading
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from settings import Settings

if TYPE_CHECKING:
    from pyhanko.sign.signers import Signer
    from pyhanko.sign.timestamps import TimeStamper

__all__ = ["DocumentSigner", "Pkcs11Signer", "Pkcs12Signer", "development_signer", "signer_for"]

BYTES_RESERVED = 16384  # a CMS with a two-certificate ECDSA/RSA-3072 chain fits with room to spare
# A timestamp token is a second CMS with the TSA's own chain inside the first one.
BYTES_RESERVED_TIMESTAMPED = 32768
FIELD_NAME = "AuthoritySignature"


class DocumentSigner(Protocol):
    """Signs a PDF and returns the signed PDF; `name` is who signed (stored on the document)."""

    name: str

    def sign(self, pdf: bytes) -> bytes: ...


class _PadesSigner:
    """A pyHanko signer built once, used under a lock (renders run in worker threads, and neither
    a PKCS#11 session nor pyHanko's signer is meant for concurrent use), with an optional TSA."""

    def __init__(self, signer: Signer, timestamper: TimeStamper | None) -> None:
        self._signer = signer
        self._timestamper = timestamper
        self._reserved = BYTES_RESERVED_TIMESTAMPED if timestamper else BYTES_RESERVED
        cert = signer.signing_cert
        if cert is None:
            raise ValueError("the signing key has no certificate")
        self.name = cert.subject.human_friendly
        self._lock = threading.Lock()

    def sign(self, pdf: bytes) -> bytes:
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import signers
        from pyhanko.sign.fields import SigSeedSubFilter

        writer = IncrementalPdfFileWriter(BytesIO(pdf))
        meta = signers.PdfSignatureMetadata(field_name=FIELD_NAME, subfilter=SigSeedSubFilter.PADES)
        with self._lock:
            out = signers.PdfSigner(meta, signer=self._signer, timestamper=self._timestamper).sign_pdf(
                writer, bytes_reserved=self._reserved)
        return out.getvalue()


class Pkcs12Signer(_PadesSigner):
    """A key from a PKCS#12 file, loaded once."""

    def __init__(self, path: str | Path, passphrase: bytes | None, timestamper: TimeStamper | None = None) -> None:
        from pyhanko.sign import signers

        signer = signers.SimpleSigner.load_pkcs12(str(path), passphrase=passphrase)
        if signer is None:
            raise ValueError(f"cannot load the signing key from {path}")
        super().__init__(signer, timestamper)


class Pkcs11Signer(_PadesSigner):
    """A key on a PKCS#11 token (an HSM; SoftHSM2 in the tests), found by its label; its
    certificate is the token's certificate with the same label, and the other certificates on the
    token (the CA chain) go into the signature. The session is opened and logged in here, once,
    and stays open for the life of the process; `close()` ends it."""

    def __init__(self, module: str, token_label: str, pin: str, key_label: str,
                 timestamper: TimeStamper | None = None) -> None:
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

        self._session = open_pkcs11_session(module, token_criteria=TokenCriteria(label=token_label), user_pin=pin)
        try:
            signer = PKCS11Signer(self._session, key_label=key_label, cert_label=key_label, other_certs_to_pull=None)
            super().__init__(signer, timestamper)  # reads the certificate and finds the key now, once
            # ECDSA: hash here, let the token sign the digest (CKM_ECDSA): every token has that
            # mechanism, not every one has the hash-and-sign ones (SoftHSM2 has none).
            signer.use_raw_mechanism = signer.signing_cert.public_key.algorithm == "ec"
        except BaseException:
            self._session.close()
            raise

    def close(self) -> None:
        self._session.close()


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


def development_signer(directory: str | Path, timestamper: TimeStamper | None = None) -> Pkcs12Signer:
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
        return Pkcs12Signer(directory / "signer.p12", secret.read_text().encode(), timestamper)


def _timestamper(url: str | None) -> Any:
    if not url:
        return None
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(url, timeout=10)


_SIGNING_FIELDS = ("signing_pkcs11_module", "signing_pkcs11_token", "signing_pkcs11_pin", "signing_pkcs11_key",
                   "signing_pkcs12", "signing_passphrase", "signing_tsa_url", "dev_signing_dir")


@functools.cache
def _cached(module: str | None, token: str | None, pin: str | None, key: str | None,
            pkcs12: str | None, passphrase: str | None, tsa_url: str | None, dev_dir: str) -> DocumentSigner:
    tsa = _timestamper(tsa_url)
    if module:
        missing = [env for env, value in (("SIGNING_PKCS11_TOKEN", token), ("SIGNING_PKCS11_PIN", pin),
                                          ("SIGNING_PKCS11_KEY", key)) if not value]
        if missing:
            raise RuntimeError(f"SIGNING_PKCS11_MODULE is set without {', '.join(missing)}")
        return Pkcs11Signer(module, token or "", pin or "", key or "", tsa)
    if pkcs12:
        return Pkcs12Signer(pkcs12, passphrase.encode() if passphrase else None, tsa)
    return development_signer(dev_dir, tsa)


def signer_for(settings: Settings) -> DocumentSigner:
    """The signer the settings name (PKCS#11 first, then PKCS#12, else the development chain),
    built once per process; production refuses the development chain."""
    if not settings.signing_pkcs11_module and not settings.signing_pkcs12 and not settings.development:
        raise RuntimeError("SIGNING_PKCS11_MODULE or SIGNING_PKCS12 is required outside development")
    return _cached(*(getattr(settings, name) for name in _SIGNING_FIELDS))
