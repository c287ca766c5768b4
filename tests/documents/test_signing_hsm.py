"""The PKCS#11 signer (issue 13 item 3): a key on an HSM token signs through the same
`DocumentSigner` interface, one logged-in session per process. Tested against SoftHSM2
(Debian `softhsm2`, scripts/setup.sh installs it): a token initialised in a temporary
SOFTHSM2_CONF directory (tests/documents/softhsm.py) holds the development chain's signing key
and certificate (and the root CA's certificate); pyHanko's validator finds the signature intact,
trusted, by that certificate, covering the whole unmodified file."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from resolvers.documents import signing
from resolvers.documents.render import render_pdf
from resolvers.documents.signing import Pkcs11Signer, signer_for
from rules.documents import DocumentKind, Language
from settings import Settings
from tests.documents import softhsm
from tests.documents.demo import context_of
from tests.documents.pdf_tools import text_of, validate
from tests.documents.softhsm import KEY, PIN, TOKEN, SoftToken


@pytest.fixture(scope="module")
def hsm(tmp_path_factory) -> SoftToken:
    if (why := softhsm.missing()) is not None:
        pytest.skip(why)
    return softhsm.make_token(tmp_path_factory.mktemp("softhsm"))


def _notice() -> bytes:
    return render_pdf(DocumentKind.HEARING_NOTICE, Language.KK, context_of(DocumentKind.HEARING_NOTICE))


def test_issue13_a_key_on_an_hsm_token_signs_and_the_signature_validates(hsm):
    module, root, cert = hsm.module, hsm.root_pem, hsm.cert
    signer = Pkcs11Signer(module, TOKEN, PIN, KEY)
    try:
        assert "Registry development document signer" in signer.name
        first, second = signer.sign(_notice()), signer.sign(_notice())  # one session, two signatures
    finally:
        signer.close()
    for signed in (first, second):
        status = validate(signed, root)
        assert status.intact and status.valid and status.trusted, status.summary()
        assert status.coverage.name == "ENTIRE_FILE" and status.modification_level.name == "NONE"
        assert status.signing_cert.dump() == cert.public_bytes(Encoding.DER)
        assert "DOC-2026-000042" in text_of(signed)
    at = first.index(b"/Contents") // 2
    assert not validate(first[:at] + bytes([first[at] ^ 0x01]) + first[at + 1:], root).intact


def test_issue13_the_settings_select_the_hsm_and_the_session_is_opened_once(hsm, monkeypatch):
    module, root = hsm.module, hsm.root_pem
    import pyhanko.sign.pkcs11 as p11

    opened = []
    real = p11.open_pkcs11_session
    monkeypatch.setattr(p11, "open_pkcs11_session", lambda *a, **kw: opened.append(1) or real(*a, **kw))
    settings = Settings(environment="production", signing_pkcs11_module=module, signing_pkcs11_token=TOKEN,
                        signing_pkcs11_pin=PIN, signing_pkcs11_key=KEY)
    signer = signer_for(settings)
    assert isinstance(signer, Pkcs11Signer)
    try:
        for _ in range(3):
            assert validate(signer_for(settings).sign(_notice()), root).intact
        assert signer_for(settings) is signer and opened == [1]  # logged in once, not per document
    finally:
        signer.close()
        signing._cached.cache_clear()


def test_issue13_a_wrong_pin_or_an_unknown_key_fails_at_start_not_at_the_first_document(hsm):
    from pkcs11.exceptions import PinIncorrect, PKCS11Error

    module = hsm.module
    with pytest.raises(PinIncorrect):
        Pkcs11Signer(module, TOKEN, "0000", KEY)
    with pytest.raises(PKCS11Error, match="no-such-key"):
        Pkcs11Signer(module, TOKEN, PIN, "no-such-key")
