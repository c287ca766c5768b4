"""The timestamp authority (issue 13 item 3, optional): with SIGNING_TSA_URL set, every signature
carries an RFC 3161 timestamp token from that authority; without it, nothing changes. The TSA
here is a local HTTP server answering with pyHanko's DummyTimeStamper (a real TSA's protocol:
`application/timestamp-query` in, `application/timestamp-reply` out) under its own certificate."""

from __future__ import annotations

import datetime as dt
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from resolvers.documents import signing
from resolvers.documents.render import render_pdf
from resolvers.documents.signing import signer_for
from rules.documents import DocumentKind, Language
from settings import Settings
from tests.documents.demo import context_of
from tests.documents.pdf_tools import validate


def _tsa_certificate():  # type: ignore[no-untyped-def]
    """A self-signed TSA certificate (extended key usage timeStamping, critical) and its key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # the dummy TSA signs RSA only
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test timestamp authority")])
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            .sign(key, hashes.SHA256()))
    der_key = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.DER), der_key


@pytest.fixture(scope="module")
def tsa():
    """(url, the TSA's certificate, the requests it answered)."""
    from asn1crypto import keys, tsp, x509
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    cert_der, key_der = _tsa_certificate()
    cert = x509.Certificate.load(cert_der)
    stamper = DummyTimeStamper(tsa_cert=cert, tsa_key=keys.PrivateKeyInfo.load(key_der))
    answered: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            assert self.headers["Content-Type"] == "application/timestamp-query"
            answered.append(body)
            reply = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/tsa", cert, answered
    finally:
        server.shutdown()
        server.server_close()


def _validate_with_tsa(pdf: bytes, root, tsa_cert):  # type: ignore[no-untyped-def]
    from io import BytesIO

    from asn1crypto import pem, x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    _, _, der = pem.unarmor(root.read_bytes())
    (signature,) = PdfFileReader(BytesIO(pdf)).embedded_signatures
    return validate_pdf_signature(signature, ValidationContext(trust_roots=[x509.Certificate.load(der)]),
                                  ts_validation_context=ValidationContext(trust_roots=[tsa_cert]))


def test_issue13_with_a_tsa_configured_the_signature_carries_its_timestamp(tsa, tmp_path):
    url, tsa_cert, answered = tsa
    dev_dir = tmp_path / "signing"
    pdf = render_pdf(DocumentKind.HEARING_NOTICE, Language.RU, context_of(DocumentKind.HEARING_NOTICE))
    try:
        signed = signer_for(Settings(signing_tsa_url=url, dev_signing_dir=str(dev_dir))).sign(pdf)
        plain = signer_for(Settings(dev_signing_dir=str(dev_dir))).sign(pdf)
    finally:
        signing._cached.cache_clear()
    assert len(answered) == 1  # one request per signature: the unsigned one asked nothing
    status = _validate_with_tsa(signed, dev_dir / "root.pem", tsa_cert)
    assert status.intact and status.valid and status.trusted, status.summary()
    assert status.coverage.name == "ENTIRE_FILE" and status.modification_level.name == "NONE"
    stamp = status.timestamp_validity
    assert stamp is not None and stamp.intact and stamp.valid and stamp.trusted
    assert stamp.signing_cert.subject.human_friendly == "Common Name: Test timestamp authority"
    assert abs(stamp.timestamp - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    # Without the setting nothing changes: no timestamp, the same validation as before.
    unstamped = validate(plain, dev_dir / "root.pem")
    assert unstamped.intact and unstamped.valid and unstamped.timestamp_validity is None


def test_issue13_an_unreachable_tsa_fails_the_signature_instead_of_signing_without_a_timestamp(tmp_path):
    """The document job records the failure and retries it (resolvers/documents/issue.py)."""
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError

    pdf = render_pdf(DocumentKind.HEARING_NOTICE, Language.KK, context_of(DocumentKind.HEARING_NOTICE))
    try:
        with pytest.raises(TimestampRequestError):
            signer_for(Settings(signing_tsa_url="http://127.0.0.1:9/tsa", dev_signing_dir=str(tmp_path))).sign(pdf)
    finally:
        signing._cached.cache_clear()
