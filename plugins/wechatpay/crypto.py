"""WeChat Pay API v3's cryptography, with the `cryptography` package: RSA-SHA256 signatures and AEAD_AES_256_GCM.

- A request is signed over ``METHOD\\nURL\\nTIMESTAMP\\nNONCE\\nBODY\\n`` with the merchant's
  private key (the ``Authorization: WECHATPAY2-SHA256-RSA2048`` header).
- A response or notification is signed by the platform over ``TIMESTAMP\\nNONCE\\nBODY\\n``
  (headers ``Wechatpay-Timestamp``, ``-Nonce``, ``-Signature``, ``-Serial``).
- A notification's ``resource`` is encrypted with the 32-byte APIv3 key: AES-256-GCM,
  12-byte nonce, ``associated_data`` authenticated, ciphertext and tag base64 together.
"""

from __future__ import annotations

import base64
import binascii
import secrets

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SCHEMA = "WECHATPAY2-SHA256-RSA2048"


def message(*parts: str) -> bytes:
    """The signed text: every part followed by a newline."""
    return "".join(f"{p}\n" for p in parts).encode("utf-8")


def sign(private_key: rsa.RSAPrivateKey, data: bytes) -> str:
    return base64.b64encode(private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())).decode("ascii")


def verify(public_key: rsa.RSAPublicKey, data: bytes, signature: str) -> bool:
    try:
        public_key.verify(base64.b64decode(signature, validate=True), data, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def nonce() -> str:
    return secrets.token_hex(16).upper()


def authorization(
    private_key: rsa.RSAPrivateKey, mch_id: str, serial_no: str, method: str, url: str, body: str, timestamp: int
) -> str:
    """The merchant's ``Authorization`` header for one request (``url``: path and query, as sent)."""
    once = nonce()
    signature = sign(private_key, message(method, url, str(timestamp), once, body))
    return (
        f'{SCHEMA} mchid="{mch_id}",nonce_str="{once}",signature="{signature}",'
        f'timestamp="{timestamp}",serial_no="{serial_no}"'
    )


def parse_authorization(header: str) -> dict[str, str]:
    """The fields of an ``Authorization`` header; {} when it is not WeChat Pay's scheme."""
    scheme, _, rest = header.partition(" ")
    if scheme != SCHEMA:
        return {}
    fields = {}
    for part in rest.split(","):
        key, _, value = part.strip().partition("=")
        fields[key] = value.strip('"')
    return fields


def decrypt(apiv3_key: bytes, nonce_text: str, ciphertext: str, associated_data: str) -> bytes:
    """Raises ValueError when the key, nonce, data or tag do not match (a forgery or another merchant's)."""
    try:
        return AESGCM(apiv3_key).decrypt(
            nonce_text.encode("utf-8"), base64.b64decode(ciphertext, validate=True), associated_data.encode("utf-8")
        )
    except (InvalidTag, binascii.Error, ValueError) as exc:
        raise ValueError(f"resource does not decrypt with the APIv3 key ({type(exc).__name__})") from None


def encrypt(apiv3_key: bytes, plaintext: bytes, associated_data: str) -> dict[str, str]:
    """A notification's ``resource`` (the sandbox's side)."""
    once = secrets.token_hex(6)  # 12 characters, as WeChat Pay sends
    sealed = AESGCM(apiv3_key).encrypt(once.encode("utf-8"), plaintext, associated_data.encode("utf-8"))
    return {
        "algorithm": "AEAD_AES_256_GCM",
        "ciphertext": base64.b64encode(sealed).decode("ascii"),
        "nonce": once,
        "associated_data": associated_data,
    }


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
