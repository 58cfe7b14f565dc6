"""Alipay's RSA2 signature scheme, for the sandbox's side of the protocol (the hall's side uses the SDK).

Alipay signs the parameters sorted by name as ``k=v`` joined by ``&``, leaving out
``sign`` (and, for notifications and return parameters, ``sign_type``) and empty
values; RSA PKCS#1 v1.5 over SHA-256, base64. A synchronous API response is
signed over the exact JSON text of its ``<method>_response`` object.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def content(params: dict[str, str], *, exclude: tuple[str, ...] = ("sign",)) -> str:
    return "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k not in exclude and v not in ("", None))


def sign_text(private_key: rsa.RSAPrivateKey, text: str) -> str:
    return base64.b64encode(private_key.sign(text.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())).decode("ascii")


def verify_text(public_key: rsa.RSAPublicKey, text: str, signature: str) -> bool:
    try:
        public_key.verify(
            base64.b64decode(signature, validate=True), text.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256()
        )
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def new_key_pair() -> tuple[str, str]:
    """A fresh RSA-2048 key pair as PEM text: (private PKCS#8, public SubjectPublicKeyInfo)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return private, public_pem(key)


def public_pem(private_key: rsa.RSAPrivateKey) -> str:
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def load_private(pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA private key")
    return key


def load_public(pem: str) -> rsa.RSAPublicKey:
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("not an RSA public key")
    return key
