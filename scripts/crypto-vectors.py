#!/usr/bin/env python3
"""Generate Tests/PierCryptoTests/Fixtures/vectors.json with an implementation independent of PierCrypto.

Uses hashlib/hmac (CPython) and the `cryptography` package (PyPI, pinned 44.0.0) so that the Swift
wrappers over OpenSSL are checked against someone else's code path and encodings. The RSA key is
generated afresh on each run, so regenerating changes the RSA section; commit the output.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install cryptography==44.0.0
    /tmp/venv/bin/python scripts/crypto-vectors.py
"""
import base64
import hashlib
import hmac
import json
import pathlib

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests/PierCryptoTests/Fixtures/vectors.json"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).rstrip(b"=").decode()


def int_bytes(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


MESSAGES = [
    b"",
    b"abc",
    b"The quick brown fox jumps over the lazy dog",
    bytes(range(256)) * 4,
    "héllo wörld ✓".encode(),
]


def sha256_vectors():
    return [{"input": m.hex(), "digest": hashlib.sha256(m).hexdigest()} for m in MESSAGES]


def hmac_vectors():
    keys = [b"", b"key", bytes(range(32)), bytes([0xAA]) * 131]  # 131 > block size: key is hashed first
    out = []
    for key in keys:
        for m in MESSAGES[:4]:
            out.append({"key": key.hex(), "message": m.hex(), "mac": hmac.new(key, m, hashlib.sha256).hexdigest()})
    return out


def aes_gcm_vectors():
    cases = [
        (bytes(range(32)), bytes(range(100, 112)), b"", b""),
        (bytes(range(32)), bytes(range(100, 112)), b"secret token", b""),
        (bytes(range(32)), bytes(range(100, 112)), b"secret token", b"dom_1|acme.okta.com"),
        (bytes([0x42]) * 32, bytes([0x07]) * 12, bytes(range(256)) * 3 + b"tail", b"aad" * 40),
        (bytes(reversed(range(32))), bytes(12), "00ssws-töken".encode(), b"\x00\x01\x02"),
    ]
    out = []
    for key, nonce, plaintext, aad in cases:
        sealed = AESGCM(key).encrypt(nonce, plaintext, aad or None)  # ciphertext || 16-byte tag
        out.append({
            "key": key.hex(),
            "nonce": nonce.hex(),
            "plaintext": plaintext.hex(),
            "aad": aad.hex(),
            "blob": (b"\x01" + nonce + sealed).hex(),
        })
    return out


def rsa_vectors():
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = private.public_key().public_numbers()
    messages = [
        b"",
        b"eyJhbGciOiJSUzI1NiIsImtpZCI6InRlc3QifQ.eyJzdWIiOiIwMHUxIiwiYXVkIjoicGllciJ9",
        b"hello",
        bytes(range(256)),
    ]
    signatures = []
    for m in messages:
        sig = private.sign(m, padding.PKCS1v15(), hashes.SHA256())
        signatures.append({"message": m.hex(), "signature": b64url(sig), "valid": True})
    # Negative cases: a flipped bit, a signature over another message, a truncated signature.
    good = bytearray(private.sign(b"hello", padding.PKCS1v15(), hashes.SHA256()))
    flipped = bytes(good[:100]) + bytes([good[100] ^ 0x01]) + bytes(good[101:])
    signatures.append({"message": b"hello".hex(), "signature": b64url(flipped), "valid": False})
    signatures.append({"message": b"hellO".hex(), "signature": b64url(bytes(good)), "valid": False})
    signatures.append({"message": b"hello".hex(), "signature": b64url(bytes(good[:-1])), "valid": False})
    # A PSS signature is not RS256.
    pss = private.sign(b"hello", padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())
    signatures.append({"message": b"hello".hex(), "signature": b64url(pss), "valid": False})
    return {
        "jwk": {"kty": "RSA", "alg": "RS256", "use": "sig", "kid": "test-key-1",
                "n": b64url(int_bytes(numbers.n)), "e": b64url(int_bytes(numbers.e))},
        "signatures": signatures,
    }


def scrypt_vectors():
    cases = [
        (b"password", bytes(range(16)), 4, 8, 1, 32),
        (b"", bytes([0x5A]) * 16, 4, 1, 1, 32),
        ("pässwörd ✓".encode(), b"NaClNaClNaClNaCl", 10, 8, 1, 32),
        (b"correct horse battery staple", bytes(range(16, 32)), 8, 4, 2, 64),
    ]
    out = []
    for password, salt, log_n, r, p, length in cases:
        derived = Scrypt(salt=salt, length=length, n=2**log_n, r=r, p=p).derive(password)
        assert derived == hashlib.scrypt(password, salt=salt, n=2**log_n, r=r, p=p, dklen=length)
        out.append({
            "password": password.hex(), "salt": salt.hex(), "logN": log_n, "r": r, "p": p,
            "hash": derived.hex(),
            "encoded": f"$scrypt$ln={log_n},r={r},p={p}${b64(salt)}${b64(derived)}",
        })
    return out


def main():
    vectors = {
        "generator": "scripts/crypto-vectors.py (hashlib, hmac, cryptography)",
        "sha256": sha256_vectors(),
        "hmacSHA256": hmac_vectors(),
        "aesGCM": aes_gcm_vectors(),
        "rsa": rsa_vectors(),
        "scrypt": scrypt_vectors(),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(vectors, indent=2) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
