# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A throw-away CA and a server certificate it signs (SANs localhost, 127.0.0.1 and the bind host)."""

import datetime
import ipaddress
import os
import ssl

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _name(common_name):
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, u"Veeam EM emulator"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _write(path, data, private=False):
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    fd = os.open(path, flags, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _paths(cert_dir):
    return {
        "ca": os.path.abspath(os.path.join(cert_dir, "ca.pem")),
        "cert": os.path.abspath(os.path.join(cert_dir, "server.pem")),
        "key": os.path.abspath(os.path.join(cert_dir, "server-key.pem")),
    }


def _sans(host):
    sans = [x509.DNSName(u"localhost"), x509.IPAddress(ipaddress.ip_address(u"127.0.0.1"))]
    try:
        addr = ipaddress.ip_address(host)
        if addr != ipaddress.ip_address(u"127.0.0.1") and not addr.is_unspecified:
            sans.append(x509.IPAddress(addr))
    except ValueError:
        if host and host != "localhost":
            sans.append(x509.DNSName(host))
    return sans


def certificates(cert_dir, host="127.0.0.1"):
    """The certificates in ``cert_dir`` (created if missing): reused while they fit ``host`` and are valid for a
    day more, so a CA trusted once stays trusted across starts; otherwise new ones are written."""
    os.makedirs(cert_dir, exist_ok=True)
    paths = _paths(cert_dir)
    try:
        with open(paths["cert"], "rb") as fh:
            cert = x509.load_pem_x509_certificate(fh.read())
        with open(paths["ca"], "rb"), open(paths["key"], "rb"):
            pass
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        soon = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
        if all(san in sans for san in _sans(host)) and cert.not_valid_after_utc > soon:
            return paths
    except (OSError, ValueError, x509.ExtensionNotFound):
        pass
    return make_certificates(cert_dir, host)


def make_certificates(cert_dir, host="127.0.0.1"):
    """Write ca.pem, server.pem (certificate + CA) and server-key.pem; returns their paths."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(u"Veeam EM emulator CA")
    ca_cert = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=825))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    sans = _sans(host)
    cert = (
        x509.CertificateBuilder().subject_name(_name(u"localhost")).issuer_name(ca_name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=397))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_pem = ca_cert.public_bytes(serialization.Encoding.PEM)
    paths = _paths(cert_dir)
    _write(paths["ca"], ca_pem)
    _write(paths["cert"], cert.public_bytes(serialization.Encoding.PEM) + ca_pem)
    _write(paths["key"], key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()), private=True)
    return paths


def server_context(paths):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(paths["cert"], paths["key"])
    return ctx
