"""A SoftHSM2 token (Debian `softhsm2`) holding the development chain's signing key, its
certificate and the root's: the HSM of the PKCS#11 signer's test and of bench/documents.py.

SoftHSM reads SOFTHSM2_CONF when the module is first initialised in a process, so `make_token`
sets the variable for the rest of the process (one token directory per process)."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from resolvers.documents.signing import development_signer

MODULES = ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
           "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so")
TOKEN, PIN, SO_PIN, KEY = "registry-test", "4821", "93517", "document-signer"


def missing() -> str | None:
    """Why a token cannot be made here, or None."""
    if shutil.which("softhsm2-util") is None or not any(Path(path).exists() for path in MODULES):
        return ("SoftHSM2 is not installed (apt-get install softhsm2; scripts/setup.sh does it as root): "
                "softhsm2-util or libsofthsm2.so is missing")
    try:
        import pkcs11  # noqa: F401
    except ImportError:
        return "python-pkcs11 is not installed (pip install -r requirements.lock)"
    return None


@dataclass(frozen=True)
class SoftToken:
    module: str  # the PKCS#11 module (.so)
    root_pem: Path  # the development root CA, to validate against
    cert: x509.Certificate  # the signer's certificate on the token


def make_token(directory: Path) -> SoftToken:
    """Initialise the token under `directory`: the key is imported (softhsm2-util), the two
    certificates created as token objects (python-pkcs11); no key file is left behind."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    util = shutil.which("softhsm2-util")
    module = next(path for path in MODULES if Path(path).exists())
    assert util is not None
    (directory / "tokens").mkdir(parents=True)
    conf = directory / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {directory / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)

    chain = directory / "chain"
    development_signer(chain)
    key, cert, cas = pkcs12.load_key_and_certificates((chain / "signer.p12").read_bytes(),
                                                      (chain / "passphrase").read_text().encode())
    assert key is not None and cert is not None
    pem = directory / "key.pem"
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    try:
        for args in (["--init-token", "--free", "--label", TOKEN, "--so-pin", SO_PIN, "--pin", PIN],
                     ["--import", str(pem), "--token", TOKEN, "--label", KEY, "--id", "01", "--pin", PIN]):
            subprocess.run([util, *args], check=True, capture_output=True, timeout=60)
    finally:
        pem.unlink()  # the key now lives on the token only
    (chain / "signer.p12").unlink()

    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    with pkcs11.lib(module).get_token(token_label=TOKEN).open(rw=True, user_pin=PIN) as session:
        for label, ident, certificate in ((KEY, b"\x01", cert), ("root-ca", b"\x02", cas[0])):
            session.create_object({
                Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True, Attribute.LABEL: label, Attribute.ID: ident,
                Attribute.SUBJECT: certificate.subject.public_bytes(),
                Attribute.VALUE: certificate.public_bytes(serialization.Encoding.DER)})
    return SoftToken(module, chain / "root.pem", cert)
