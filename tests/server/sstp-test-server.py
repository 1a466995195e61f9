#!/usr/bin/python3
"""sstp-test-server: a strict SSTP server used as the peer in pppd-sstp system tests.

It is written from the protocol notes (shared/sstp-protocol.md, referred to as
"doc" below) independently of the client's C code, so that a misreading of the
protocol in the client cannot be cancelled out by the same misreading here.

Per TCP connection (one thread each):
  TLS (Python ssl = OpenSSL) -> HTTP SSTP_DUPLEX_POST handshake, checked field by
  field -> SSTP Call Connect Request / Ack -> a real server-side pppd on a pty,
  with async HDLC framing done here -> Call Connected checked like Windows RRAS
  does (nonce, certificate hash, Compound MAC with the HLAK re-derived from the
  snooped MS-CHAPv2 exchange) -> echo / disconnect / abort handling.

Every log line reads
    <UTC timestamp> conn=<N|-> <KIND> <text>
with KIND one of EVENT, VERDICT, ERROR, PPPD (the server pppd's own output),
so that tests can grep for stable words.  Lines tests are meant to rely on:
    VERDICT http OK                    | VERDICT http MISMATCH <check> (...)
    VERDICT connect-request OK         | VERDICT connect-request MISMATCH bytes (...)
    VERDICT call-connected OK hash=<SHA-256|SHA-1> hlak=<mschapv2|zero> auth=<...>
    VERDICT call-connected MISMATCH <field> (...)   one line per bad field; fields:
        length header message-type attribute-count attribute-header reserved
        hash-protocol nonce cert-hash cert-hash-padding compound-mac mac-padding
        ordering auth-incomplete hlak-unknown hlak-unsupported-auth
    EVENT sstp-rx <decoded control message> / EVENT sstp-tx <decoded control message>
    EVENT data-before-call-connected proto=0x.... len=N count=N (dropped)
    EVENT echo-request received / echo-request sent / echo-response received
    EVENT call-disconnect received / call-disconnect sent reason=...
    EVENT disconnect-ack received / call-abort received / call-abort sent reason=...
    EVENT drop: closing TCP abruptly ...
    EVENT pppd-exit pid=N status=N | signal=N
    EVENT call-summary state=... call-connected=yes|no verdict=OK|MISMATCH|none ...
    EVENT connection-closed reason=...
    ERROR client-violation <what>      (a client mistake; some also abort the call)
    ERROR <other>                      (framing errors, timeouts, server-side problems)
Status names are printed in lower case ("no-error") so that grepping for
" ERROR " only finds real errors.

Python 3.11 standard library only.  "--self-test" checks the crypto and HDLC
code against the doc's section 9 vectors.
"""

import argparse
import binascii
import errno
import hashlib
import hmac
import http
import os
import re
import selectors
import signal
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import traceback
import tty

# ---------------------------------------------------------------------------
# Protocol constants (doc section 2)
# ---------------------------------------------------------------------------

SSTP_VERSION = 0x10
SSTP_MAX_PACKET = 4095
PPP_MAX_FRAME = SSTP_MAX_PACKET - 4      # 4091

MSG_CALL_CONNECT_REQUEST = 0x0001
MSG_CALL_CONNECT_ACK = 0x0002
MSG_CALL_CONNECT_NAK = 0x0003
MSG_CALL_CONNECTED = 0x0004
MSG_CALL_ABORT = 0x0005
MSG_CALL_DISCONNECT = 0x0006
MSG_CALL_DISCONNECT_ACK = 0x0007
MSG_ECHO_REQUEST = 0x0008
MSG_ECHO_RESPONSE = 0x0009

MSG_NAMES = {
    MSG_CALL_CONNECT_REQUEST: "CALL_CONNECT_REQUEST",
    MSG_CALL_CONNECT_ACK: "CALL_CONNECT_ACK",
    MSG_CALL_CONNECT_NAK: "CALL_CONNECT_NAK",
    MSG_CALL_CONNECTED: "CALL_CONNECTED",
    MSG_CALL_ABORT: "CALL_ABORT",
    MSG_CALL_DISCONNECT: "CALL_DISCONNECT",
    MSG_CALL_DISCONNECT_ACK: "CALL_DISCONNECT_ACK",
    MSG_ECHO_REQUEST: "ECHO_REQUEST",
    MSG_ECHO_RESPONSE: "ECHO_RESPONSE",
}

ATTR_NO_ERROR = 0x00
ATTR_ENCAPSULATED_PROTOCOL_ID = 0x01
ATTR_STATUS_INFO = 0x02
ATTR_CRYPTO_BINDING = 0x03
ATTR_CRYPTO_BINDING_REQ = 0x04

STATUS_NO_ERROR = 0x00
STATUS_DUPLICATE_ATTRIBUTE = 0x01
STATUS_UNRECOGNIZED_ATTRIBUTE = 0x02
STATUS_INVALID_ATTRIB_VALUE_LENGTH = 0x03
STATUS_VALUE_NOT_SUPPORTED = 0x04
STATUS_UNACCEPTED_FRAME_RECEIVED = 0x05
STATUS_RETRY_COUNT_EXCEEDED = 0x06
STATUS_INVALID_FRAME_RECEIVED = 0x07
STATUS_NEGOTIATION_TIMEOUT = 0x08
STATUS_ATTRIB_NOT_SUPPORTED_IN_MSG = 0x09
STATUS_REQUIRED_ATTRIBUTE_MISSING = 0x0A
STATUS_STATUS_INFO_NOT_SUPPORTED_IN_MSG = 0x0B

# Lower-case names in the log, so that grepping for the stable word "ERROR"
# never hits a status name such as NO_ERROR.
STATUS_NAMES = {
    0x00: "no-error", 0x01: "duplicate-attribute", 0x02: "unrecognized-attribute",
    0x03: "invalid-attrib-value-length", 0x04: "value-not-supported",
    0x05: "unaccepted-frame-received", 0x06: "retry-count-exceeded",
    0x07: "invalid-frame-received", 0x08: "negotiation-timeout",
    0x09: "attrib-not-supported-in-msg", 0x0A: "required-attribute-missing",
    0x0B: "status-info-not-supported-in-msg",
}

ENCAPSULATED_PROTOCOL_PPP = 0x0001
HASH_SHA1 = 0x01
HASH_SHA256 = 0x02
HASH_NAMES = {HASH_SHA1: "SHA-1", HASH_SHA256: "SHA-256"}
HASH_LEN = {HASH_SHA1: 20, HASH_SHA256: 32}
HASH_FUNC = {HASH_SHA1: hashlib.sha1, HASH_SHA256: hashlib.sha256}

CMK_SEED = b"SSTP inner method derived CMK"          # 29 bytes, no NUL

# The only Call Connect Request a client can send (doc 2.6).
CALL_CONNECT_REQUEST_BYTES = bytes.fromhex("1001000e00010001000100060001")

# HTTP layer (doc 1.4)
SSTP_METHOD = "SSTP_DUPLEX_POST"
SSTP_URI = "/sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/"
ULONGLONG_MAX = "18446744073709551615"
GUID_RE = re.compile(r"^\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-"
                     r"[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}$")
HTTP_MAX_HEADER = 16384

# Per-connection faults (--fault-plan). Each fault replaces one step of the
# normal exchange; see FAULT_HELP for what each does.
FAULT_HELP = {
    "none": "behave normally",
    "tls-close-handshake": "read the ClientHello, then close TCP",
    "tls-close-http": "read the HTTP request, then close TCP without answering",
    "http-garbage": "answer the HTTP request with binary garbage, then wait",
    "http-endless": "send a 200 status line and then header lines without end, fast",
    "http-trickle": "send a 200 status line, then one header byte per second, forever",
    "sstp-bad-version": "answer Call Connect Request with an Ack of version 0x11",
    "sstp-reserved-bits": "Ack with every reserved bit set (must be ignored: call proceeds)",
    "sstp-len-small": "a control packet whose length field says 3",
    "sstp-len-over": "an Ack whose length claims 100 bytes; send 48, then close",
    "sstp-len-max": "an Ack padded to the maximum 4095 bytes, length field 0xFFFF "
                    "(call proceeds)",
    "sstp-truncated": "the first 20 bytes of an Ack, then close",
    "sstp-unknown-msg": "control message type 0x00AB instead of the Ack",
    "sstp-unknown-attr": "an Ack with an extra unknown attribute (call proceeds)",
    "sstp-attr-overrun": "an Ack whose attribute length runs past the message",
    "nak": "Nak every Call Connect Request (Status Info without alternatives)",
    "nak-alt": "Nak every Call Connect Request, listing PPP as the alternative",
    "ack-nohash": "an Ack with hash protocol bitmask 0",
    "ack-never": "never answer the Call Connect Request (our timers off)",
    "ack-half": "half an Ack, then silence (our timers off)",
    "abort-request": "Call Abort instead of the Ack",
    "disconnect-request": "Call Disconnect instead of the Ack",
    "abort-ack": "the Ack, then at once Call Abort (PPP negotiating)",
    "disconnect-ack": "the Ack, then at once Call Disconnect (PPP negotiating)",
    "flood-before-connected": "right after the Ack, 2000 IPv4 data packets",
    "abort-connected": "Call Abort --fault-delay s after Call Connected",
    "disconnect-connected": "Call Disconnect --fault-delay s after Call Connected",
    "fin-connected": "close TCP (FIN, no TLS close_notify) --fault-delay s after "
                     "Call Connected",
    "rst-connected": "reset TCP --fault-delay s after Call Connected",
    "silent-connected": "go silent (read and discard, send nothing) --fault-delay s "
                        "(at least 5 s, for IPCP to finish) after Call Connected",
    "echo-ignore": "never answer the client's Echo Requests (PPP data still flows)",
    "abort-on-disconnect": "answer the client's Call Disconnect with Call Abort",
    "pppd-alt": "run the server pppd with --alt-pppd-options (combine: pppd-alt+FAULT)",
}
CONNECTED_FAULTS = ("abort-connected", "disconnect-connected", "fin-connected",
                    "rst-connected", "silent-connected")
FLOOD_PACKETS = 2000

# MS-SSTP timers (doc 3.1); the server uses the same values as the client.
ABORT1_TIMEOUT = 3.0        # after sending an Abort we initiated
ABORT2_TIMEOUT = 1.0        # after receiving (and answering) an Abort
DISCONNECT1_TIMEOUT = 5.0   # after sending Call Disconnect
DISCONNECT2_TIMEOUT = 1.0   # after acking a received Call Disconnect

# Server-side SSTP states (MS-SSTP 3.3.1, mirrors doc 3.2)
S_REQUEST_PENDING = "CONNECT_REQUEST_PENDING"      # HTTP done, waiting Connect Request
S_CONNECTED_PENDING = "CALL_CONNECTED_PENDING"     # Ack sent, PPP negotiating
S_CONNECTED = "CALL_CONNECTED"
S_ABORT_PENDING = "CALL_ABORT_PENDING"
S_ABORT_TIMEOUT_PENDING = "CALL_ABORT_TIMEOUT_PENDING"
S_DISCONNECT_ACK_PENDING = "CALL_DISCONNECT_ACK_PENDING"
S_DISCONNECT_TIMEOUT_PENDING = "CALL_DISCONNECT_TIMEOUT_PENDING"
TEARDOWN_STATES = (S_ABORT_PENDING, S_ABORT_TIMEOUT_PENDING,
                   S_DISCONNECT_ACK_PENDING, S_DISCONNECT_TIMEOUT_PENDING)

# PPP protocol numbers
PPP_LCP = 0xC021
PPP_PAP = 0xC023
PPP_CHAP = 0xC223
PPP_EAP = 0xC227
EAPT_NAK = 3
EAPT_MD5 = 4
EAPT_TLS = 13
EAPT_MSCHAPV2 = 26
PPP_IPCP = 0x8021
PPP_IPV6CP = 0x8057
PPP_CCP = 0x80FD
PPP_NAMES = {
    0x0021: "IPv4", 0x0057: "IPv6", 0x00FD: "CompressedData",
    PPP_IPCP: "IPCP", PPP_IPV6CP: "IPV6CP", PPP_CCP: "CCP",
    PPP_LCP: "LCP", PPP_PAP: "PAP", PPP_CHAP: "CHAP", PPP_EAP: "EAP",
}
CP_CODES = {1: "Configure-Request", 2: "Configure-Ack", 3: "Configure-Nak",
            4: "Configure-Reject", 5: "Terminate-Request", 6: "Terminate-Ack",
            7: "Code-Reject", 8: "Protocol-Reject", 9: "Echo-Request",
            10: "Echo-Reply", 11: "Discard-Request", 12: "Identification",
            13: "Time-Remaining", 14: "Reset-Request", 15: "Reset-Ack"}
CHAP_ALGS = {0x05: "CHAP-MD5", 0x80: "MS-CHAPv1", 0x81: "MS-CHAPv2"}


def hexs(b):
    return binascii.hexlify(bytes(b)).decode()


# ---------------------------------------------------------------------------
# MD4 (RFC 1320) - OpenSSL 3 often ships without it, so it is done here.
# ---------------------------------------------------------------------------

def _rotl32(x, n):
    x &= 0xFFFFFFFF
    return ((x << n) | (x >> (32 - n))) & 0xFFFFFFFF


def md4(data):
    data = bytes(data)
    msg = bytearray(data)
    msg.append(0x80)
    while len(msg) % 64 != 56:
        msg.append(0)
    msg += struct.pack("<Q", (8 * len(data)) & 0xFFFFFFFFFFFFFFFF)
    h = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476]
    for off in range(0, len(msg), 64):
        x = struct.unpack("<16I", msg[off:off + 64])
        a, b, c, d = h
        # Round 1: F(x,y,z) = xy | ~x z
        for i in range(16):
            s = (3, 7, 11, 19)[i % 4]
            t = (a + ((b & c) | (~b & d)) + x[i]) & 0xFFFFFFFF
            a, b, c, d = d, _rotl32(t, s), b, c
        # Round 2: G(x,y,z) = xy | xz | yz, constant 0x5A827999
        for i in range(16):
            k = (i % 4) * 4 + i // 4
            s = (3, 5, 9, 13)[i % 4]
            t = (a + ((b & c) | (b & d) | (c & d)) + x[k] + 0x5A827999) & 0xFFFFFFFF
            a, b, c, d = d, _rotl32(t, s), b, c
        # Round 3: H(x,y,z) = x ^ y ^ z, constant 0x6ED9EBA1
        for i in range(16):
            k = (0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15)[i]
            s = (3, 9, 11, 15)[i % 4]
            t = (a + (b ^ c ^ d) + x[k] + 0x6ED9EBA1) & 0xFFFFFFFF
            a, b, c, d = d, _rotl32(t, s), b, c
        h = [(h[0] + a) & 0xFFFFFFFF, (h[1] + b) & 0xFFFFFFFF,
             (h[2] + c) & 0xFFFFFFFF, (h[3] + d) & 0xFFFFFFFF]
    return struct.pack("<4I", *h)


# ---------------------------------------------------------------------------
# MS-CHAPv2 -> MPPE master keys -> HLAK (doc 4.3, section 5; RFC 2759, RFC 3079)
# ---------------------------------------------------------------------------

MAGIC1 = b"This is the MPPE Master Key"
MAGIC2 = (b"On the client side, this is the send key; "
          b"on the server side, it is the receive key.")
MAGIC3 = (b"On the client side, this is the receive key; "
          b"on the server side, it is the send key.")
SHS_PAD1 = b"\x00" * 40
SHS_PAD2 = b"\xf2" * 40


def nt_password_hash(password):
    return md4(password.encode("utf-16-le"))


def mppe_master_key(password_hash_hash, nt_response):
    return hashlib.sha1(password_hash_hash + nt_response + MAGIC1).digest()[:16]


def mppe_start_key(master_key, magic):
    return hashlib.sha1(master_key + SHS_PAD1 + magic + SHS_PAD2).digest()[:16]


def mschapv2_client_keys(password, nt_response):
    """Client-side (MasterSendKey, MasterReceiveKey) per RFC 3079 section 3."""
    pwhash_hash = md4(nt_password_hash(password))
    master = mppe_master_key(pwhash_hash, bytes(nt_response))
    return mppe_start_key(master, MAGIC2), mppe_start_key(master, MAGIC3)


def read_server_keys(path, wait=3.0):
    """The EAP-TLS HLAK from the server pppd's own key derivation: its
    receive key, as hex, in the file its test plugin (server-keys-plugin.c)
    writes when the peer has authenticated. That happens just after pppd
    sends EAP Success, so the file may lag the client's Call Connected by a
    moment. Returns what expected_hlak() returns."""
    if path is None:
        return None, None, ("hlak-unknown", "EAP-TLS needs --eap-keys-file (server pppd's keys)")
    deadline = time.monotonic() + wait
    while True:
        try:
            with open(path) as f:
                key = bytes.fromhex(f.read().strip())
            if len(key) >= 32:
                return key[:32], "eap-tls", None
        except (OSError, ValueError):
            pass
        if time.monotonic() >= deadline:
            return None, None, ("hlak-unknown", "no 32-byte key from the server pppd in %s" % path)
        time.sleep(0.05)


def mschapv2_hlak(password, nt_response):
    send, recv = mschapv2_client_keys(password, nt_response)
    return send + recv          # HLAK[0..15] = Magic2 key, HLAK[16..31] = Magic3 key


ZERO_HLAK = bytes(32)


# ---------------------------------------------------------------------------
# Crypto binding (doc section 4)
# ---------------------------------------------------------------------------

def compute_cmk(hlak, hp, len_big_endian=False):
    """CMK = HMAC-H(HLAK, seed || LEN (2 bytes, little-endian) || 0x01).

    len_big_endian exists only to diagnose a client that got the byte order wrong.
    """
    n = HASH_LEN[hp]
    length = struct.pack(">H" if len_big_endian else "<H", n)
    return hmac.new(hlak, CMK_SEED + length + b"\x01", HASH_FUNC[hp]).digest()[:n]


def compute_compound_mac(cmk, msg, hp):
    """HMAC-H(CMK, the 112-byte Call Connected with bytes 80..111 zeroed)."""
    zeroed = bytes(msg[:80]) + bytes(32)
    return hmac.new(cmk, zeroed, HASH_FUNC[hp]).digest()


def build_call_connected(hp, nonce, cert_hash, hlak):
    """Reference builder (used by the self-test only)."""
    n = HASH_LEN[hp]
    msg = bytearray(112)
    msg[0:16] = bytes.fromhex("10010070000400010003006800000000")
    msg[15] = hp
    msg[16:48] = nonce
    msg[48:48 + n] = cert_hash[:n]
    msg[80:80 + n] = compute_compound_mac(compute_cmk(hlak, hp), msg, hp)[:n]
    return bytes(msg)


def verify_call_connected(msg, offered_mask, nonce, cert_digests, hlak):
    """Check a received Call Connected like an RRAS server would.

    cert_digests: {HASH_SHA1: digest, HASH_SHA256: digest} of our leaf cert DER.
    hlak: the 32-byte HLAK we expect, or None if unknown (MAC then unchecked,
          the caller reports why).
    Returns (hash_protocol or None, [(field, detail), ...]); empty list = OK.
    """
    bad = []
    msg = bytes(msg)
    if len(msg) != 112:
        return None, [("length", "got %d bytes, expected 112" % len(msg))]
    if msg[0:4] != b"\x10\x01\x00\x70":
        bad.append(("header", "got %s, expected 10010070" % hexs(msg[0:4])))
    if msg[4:6] != b"\x00\x04":
        bad.append(("message-type", "got %s" % hexs(msg[4:6])))
    if msg[6:8] != b"\x00\x01":
        bad.append(("attribute-count", "got %s" % hexs(msg[6:8])))
    if msg[8:12] != b"\x00\x03\x00\x68":
        bad.append(("attribute-header", "got %s, expected 00030068" % hexs(msg[8:12])))
    if msg[12:15] != b"\x00\x00\x00":
        bad.append(("reserved", "got %s" % hexs(msg[12:15])))
    hp = msg[15]
    if hp not in (HASH_SHA1, HASH_SHA256):
        bad.append(("hash-protocol", "0x%02x is not exactly one of 0x01/0x02" % hp))
        return None, bad
    if not offered_mask & hp:
        bad.append(("hash-protocol", "%s chosen but offered mask was 0x%02x"
                    % (HASH_NAMES[hp], offered_mask)))
    elif offered_mask & HASH_SHA256 and hp != HASH_SHA256:
        bad.append(("hash-protocol", "SHA-1 chosen although SHA-256 was offered"))
    if msg[16:48] != bytes(nonce):
        bad.append(("nonce", "got %s, expected %s" % (hexs(msg[16:48]), hexs(nonce))))
    n = HASH_LEN[hp]
    expected_cert = cert_digests[hp]
    if msg[48:48 + n] != expected_cert:
        why = ""
        other = HASH_SHA1 if hp == HASH_SHA256 else HASH_SHA256
        if msg[48:48 + HASH_LEN[other]] == cert_digests[other]:
            why = " (that is the %s digest)" % HASH_NAMES[other]
        bad.append(("cert-hash", "got %s, expected %s%s"
                    % (hexs(msg[48:48 + n]), hexs(expected_cert), why)))
    if any(msg[48 + n:80]):
        bad.append(("cert-hash-padding", "non-zero padding %s" % hexs(msg[48 + n:80])))
    if hlak is not None:
        got = msg[80:80 + n]
        want = compute_compound_mac(compute_cmk(hlak, hp), msg, hp)[:n]
        if got != want:
            bad.append(("compound-mac", "got %s, expected %s%s"
                        % (hexs(got), hexs(want), diagnose_mac(msg, hp, hlak))))
    if any(msg[80 + n:112]):
        bad.append(("mac-padding", "non-zero padding %s" % hexs(msg[80 + n:112])))
    return hp, bad


def diagnose_mac(msg, hp, hlak):
    """Name the usual mistake that would have produced the received MAC."""
    n = HASH_LEN[hp]
    got = msg[80:80 + n]
    candidates = [
        ("hlak-halves-swapped", hlak[16:] + hlak[:16], False),
        ("zero-hlak", ZERO_HLAK, False),
        ("cmk-len-big-endian", hlak, True),
    ]
    for name, key, be in candidates:
        if key == hlak and not be:
            continue
        if compute_compound_mac(compute_cmk(key, hp, be), msg, hp)[:n] == got:
            return " (would match with %s)" % name
    # MAC computed over the message with some other field state?
    if hmac.new(compute_cmk(hlak, hp), msg[:80] + msg[80:],
                HASH_FUNC[hp]).digest()[:n] == got:
        return " (MAC computed over the message including the MAC field?)"
    return ""


# ---------------------------------------------------------------------------
# Async HDLC (doc section 6, RFC 1662)
# ---------------------------------------------------------------------------

PPP_FLAG = 0x7E
PPP_ESC = 0x7D
FCS_INIT = 0xFFFF
FCS_GOOD = 0xF0B8


def _make_fcs_table():
    table = []
    for b in range(256):
        v = b
        for _ in range(8):
            v = (v >> 1) ^ 0x8408 if v & 1 else v >> 1
        table.append(v)
    return table


_FCS_TABLE = _make_fcs_table()


def fcs16_reference(data, fcs=FCS_INIT):
    """Table-driven RFC 1662 C.2 FCS-16 (reference, per byte)."""
    for b in data:
        fcs = (fcs >> 8) ^ _FCS_TABLE[(fcs ^ b) & 0xFF]
    return fcs


# Fast path: FCS-16 is the bit-reflected form of CRC-CCITT.  binascii.crc_hqx
# computes the non-reflected CRC (poly 0x1021, MSB first) in C, so reflecting
# every input byte and the 16-bit result gives the same value at C speed.
# The self-test cross-checks it against the reference implementation.
_REV8 = bytes(int("{:08b}".format(i)[::-1], 2) for i in range(256))


def _rev16(v):
    return (_REV8[v & 0xFF] << 8) | _REV8[v >> 8]


def fcs16(data, fcs=FCS_INIT):
    return _rev16(binascii.crc_hqx(bytes(data).translate(_REV8), _rev16(fcs)))


# Escape every control character, the flag and the escape byte: always
# acceptable to the receiver whatever ACCM was negotiated.
_ESCAPE_RE = re.compile(rb"[\x00-\x1f\x7d\x7e]")


def _escape_match(m):
    return bytes((PPP_ESC, m.group()[0] ^ 0x20))


def hdlc_encode(frame):
    fcs = fcs16(frame) ^ 0xFFFF
    body = bytes(frame) + struct.pack("<H", fcs)          # FCS low byte first
    return b"\x7e" + _ESCAPE_RE.sub(_escape_match, body) + b"\x7e"


class HdlcDecoder:
    """Stateful de-framer for a byte stream from pppd (frames can span reads)."""

    MAX_RAW = 2 * (PPP_MAX_FRAME + 2) + 16

    def __init__(self):
        self.buf = bytearray()
        self.hunting = True        # discard until the first flag
        self.bad_fcs = 0
        self.too_short = 0
        self.aborted = 0
        self.oversize = 0

    def feed(self, data):
        """Return the list of good frames (FCS stripped) completed by data."""
        self.buf += data
        frames = []
        while True:
            i = self.buf.find(PPP_FLAG)
            if i < 0:
                if self.hunting:
                    self.buf.clear()
                elif len(self.buf) > self.MAX_RAW:
                    self.oversize += 1
                    self.buf.clear()
                    self.hunting = True
                break
            if self.hunting:
                del self.buf[:i + 1]
                self.hunting = False
                continue
            raw = bytes(self.buf[:i])
            del self.buf[:i + 1]
            if raw:                      # empty = back-to-back flags (idle fill)
                frame = self._unframe(raw)
                if frame is not None:
                    frames.append(frame)
        return frames

    def _unframe(self, raw):
        if raw[-1] == PPP_ESC:           # "7D 7E" = abort sequence
            self.aborted += 1
            return None
        if PPP_ESC in raw:
            out = bytearray()
            pos = 0
            while True:
                j = raw.find(PPP_ESC, pos)
                if j < 0:
                    out += raw[pos:]
                    break
                out += raw[pos:j]
                out.append(raw[j + 1] ^ 0x20)      # j+1 exists: raw[-1] != ESC
                pos = j + 2
            data = bytes(out)
        else:
            data = raw
        if len(data) < 4:
            self.too_short += 1
            return None
        if fcs16(data) != FCS_GOOD:
            self.bad_fcs += 1
            return None
        if len(data) - 2 > self.MAX_RAW:
            self.oversize += 1
            return None
        return data[:-2]


def normalise_ppp_frame(frame):
    """Return (frame with FF 03 and a 2-byte protocol, protocol) or (None, None)."""
    frame = bytes(frame)
    if frame[:2] != b"\xff\x03":
        frame = b"\xff\x03" + frame
    if len(frame) < 3:
        return None, None
    if frame[2] & 1:                     # PFC: 1-byte protocol
        frame = frame[:2] + b"\x00" + frame[2:]
    if len(frame) < 4:
        return None, None
    return frame, (frame[2] << 8) | frame[3]


# ---------------------------------------------------------------------------
# SSTP message building and parsing
# ---------------------------------------------------------------------------

def sstp_attr(attr_id, value):
    return struct.pack("!BBH", 0, attr_id, 4 + len(value)) + bytes(value)


def sstp_status_info(about_attr, status, value=b""):
    return sstp_attr(ATTR_STATUS_INFO,
                     b"\x00\x00\x00" + bytes((about_attr,)) + struct.pack("!I", status) + value)


def sstp_control(msg_type, attrs=()):
    body = b"".join(attrs)
    return struct.pack("!BBHHH", SSTP_VERSION, 0x01, 8 + len(body), msg_type, len(attrs)) + body


def sstp_data(frame):
    return struct.pack("!BBH", SSTP_VERSION, 0x00, 4 + len(frame)) + bytes(frame)


def parse_control(pkt):
    """Return (msg_type, [(attr_id, value)], error-or-None) for a control packet."""
    msg_type, nattr = struct.unpack("!HH", pkt[4:8])
    attrs = []
    off = 8
    while off < len(pkt):
        if len(pkt) - off < 4:
            return msg_type, attrs, "truncated attribute header at offset %d" % off
        reserved, attr_id, alen = struct.unpack("!BBH", pkt[off:off + 4])
        if reserved or alen & 0xF000:
            return msg_type, attrs, "reserved bits set in attribute header at offset %d" % off
        if alen < 4 or off + alen > len(pkt):
            return msg_type, attrs, "bad attribute length %d at offset %d" % (alen, off)
        attrs.append((attr_id, bytes(pkt[off + 4:off + alen])))
        off += alen
    if len(attrs) != nattr:
        return msg_type, attrs, "NumAttributes=%d but %d attributes present" % (nattr, len(attrs))
    return msg_type, attrs, None


def describe_attr(attr_id, value):
    if attr_id == ATTR_ENCAPSULATED_PROTOCOL_ID and len(value) == 2:
        return "encapsulated-protocol=0x%04x" % struct.unpack("!H", value)[0]
    if attr_id == ATTR_STATUS_INFO and len(value) >= 8:
        about = value[3]
        status = struct.unpack("!I", value[4:8])[0]
        return "status-info(attrib=0x%02x status=%s%s)" % (
            about, STATUS_NAMES.get(status, "0x%08x" % status),
            " value=" + hexs(value[8:]) if len(value) > 8 else "")
    if attr_id == ATTR_CRYPTO_BINDING_REQ and len(value) == 36:
        return "crypto-binding-req(mask=0x%02x nonce=%s)" % (value[3], hexs(value[4:36]))
    if attr_id == ATTR_CRYPTO_BINDING and len(value) == 100:
        return "crypto-binding(hash=0x%02x nonce=%s cert-hash=%s mac=%s)" % (
            value[3], hexs(value[4:36]), hexs(value[36:68]), hexs(value[68:100]))
    return "attr(id=0x%02x len=%d value=%s)" % (attr_id, 4 + len(value), hexs(value))


def describe_control(pkt):
    msg_type, attrs, err = parse_control(pkt)
    name = MSG_NAMES.get(msg_type, "UNKNOWN(0x%04x)" % msg_type)
    parts = [name, "len=%d" % len(pkt)]
    parts += [describe_attr(a, v) for a, v in attrs]
    if err:
        parts.append("MALFORMED(%s)" % err)
    return " ".join(parts)


# ---------------------------------------------------------------------------
# Logging
# ---------------------------------------------------------------------------

class Logger:
    def __init__(self, path):
        self.lock = threading.RLock()      # re-entrant: the signal handler logs too
        self.f = open(path, "a", encoding="utf-8", errors="replace") if path else sys.stderr
        self.secrets = []

    def add_secret(self, s):
        if s:
            self.secrets.append(s)

    def line(self, conn, kind, text, redact=False):
        if redact:                      # text that might carry the password (pppd's)
            for s in self.secrets:
                text = text.replace(s, "<redacted>")
        now = time.time()
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + ".%03dZ" % (int(now * 1000) % 1000)
        with self.lock:
            self.f.write("%s conn=%s %s %s\n" % (ts, conn, kind, text))
            self.f.flush()


# ---------------------------------------------------------------------------
# PPP snooping: learn how the client authenticated
# ---------------------------------------------------------------------------

def _printable(b):
    return "".join(chr(c) if 0x20 < c < 0x7F else "." for c in b)


class PppSnoop:
    """Watches PPP control frames in both directions ("c>s", "s>c")."""

    def __init__(self, log):
        self.log = log
        # (protocol, chap algorithm or None) the server authenticates the client
        # with, taken from the client's Configure-Ack of the server's request.
        self.auth = None
        self.chap_responses = {}       # CHAP id -> (value_size, nt_response or None)
        self.last_response_id = None
        self.chap_success_id = None
        self.pap_acked = False
        self.auth_failed = False
        self.eap_seen = False
        self.eap_method = None         # EAP type of the client's last method Response
        self.eap_nt_response = None    # NT-Response of an EAP-MSCHAPv2 Response
        self.eap_mschapv2_id = None    # MS-CHAPv2-ID of that Response
        self.eap_success = False

    # -- helpers --
    @staticmethod
    def _cp_header(payload):
        if len(payload) < 4:
            return None
        code, ident, length = struct.unpack("!BBH", payload[:4])
        if length < 4 or length > len(payload):
            return None
        return code, ident, payload[4:length]   # honour the Length field, ignore excess

    @staticmethod
    def _options(data):
        opts = []
        off = 0
        while off + 2 <= len(data):
            t, ln = data[off], data[off + 1]
            if ln < 2 or off + ln > len(data):
                break
            opts.append((t, data[off + 2:off + ln]))
            off += ln
        return opts

    @staticmethod
    def _auth_of(value):
        if len(value) < 2:
            return None
        proto = struct.unpack("!H", value[:2])[0]
        alg = value[2] if proto == PPP_CHAP and len(value) >= 3 else None
        return proto, alg

    @staticmethod
    def auth_name(auth):
        if auth is None:
            return "none"
        proto, alg = auth
        if proto == PPP_CHAP:
            return CHAP_ALGS.get(alg, "CHAP-alg-0x%02x" % (alg or 0))
        return PPP_NAMES.get(proto, "0x%04x" % proto)

    def _lcp_opts_text(self, opts):
        out = []
        for t, v in opts:
            if t == 1 and len(v) == 2:
                out.append("mru=%d" % struct.unpack("!H", v)[0])
            elif t == 2 and len(v) == 4:
                out.append("accm=0x%08x" % struct.unpack("!I", v)[0])
            elif t == 3:
                out.append("auth=%s" % self.auth_name(self._auth_of(v)))
            elif t == 5 and len(v) == 4:
                out.append("magic=0x%08x" % struct.unpack("!I", v)[0])
            elif t == 7:
                out.append("pfc")
            elif t == 8:
                out.append("acfc")
            else:
                out.append("opt%d=%s" % (t, hexs(v)))
        return " ".join(out)

    # -- main entry --
    def observe(self, direction, proto, payload):
        name = PPP_NAMES.get(proto, "proto-0x%04x" % proto)
        if proto < 0x8000:
            return                                 # data frames: counted elsewhere
        hdr = self._cp_header(payload)
        if hdr is None:
            self.log("EVENT", "ppp %s %s malformed (%d bytes)" % (direction, name, len(payload)))
            return
        code, ident, data = hdr
        if proto == PPP_LCP:
            self._lcp(direction, code, ident, data)
        elif proto == PPP_CHAP:
            self._chap(direction, code, ident, data)
        elif proto == PPP_PAP:
            self._pap(direction, code, ident, data)
        elif proto == PPP_EAP:
            self.eap_seen = True
            extra = " type=%d" % data[0] if code in (1, 2) and data else ""
            self.log("EVENT", "ppp %s EAP code=%d id=%d%s" % (direction, code, ident, extra))
            self._eap(direction, code, data)
        elif proto == PPP_IPCP and code in (1, 2, 3, 4):
            opts = []
            for t, v in self._options(data):
                if t == 3 and len(v) == 4:
                    opts.append("addr=%s" % socket.inet_ntoa(v))
                else:
                    opts.append("opt%d=%s" % (t, hexs(v)))
            self.log("EVENT", "ppp %s IPCP %s id=%d %s" % (
                direction, CP_CODES[code], ident, " ".join(opts)))
        else:
            self.log("EVENT", "ppp %s %s %s id=%d len=%d" % (
                direction, name, CP_CODES.get(code, "code-%d" % code), ident, len(data) + 4))

    def _lcp(self, direction, code, ident, data):
        cname = CP_CODES.get(code, "code-%d" % code)
        if code in (9, 10, 11):                 # LCP echo: keep the log short
            self.log("EVENT", "ppp %s LCP %s id=%d" % (direction, cname, ident))
            return
        if code in (1, 2, 3, 4):
            opts = self._options(data)
            self.log("EVENT", "ppp %s LCP %s id=%d %s" % (direction, cname, ident,
                                                        self._lcp_opts_text(opts)))
            if code == 2:
                auth = None
                for t, v in opts:
                    if t == 3:
                        auth = self._auth_of(v)
                if direction == "c>s":
                    # The client acknowledged the server's option set: this decides
                    # how the server authenticates the client.
                    self.auth = auth
                    self.log("EVENT", "lcp auth-protocol=%s (server authenticates client)"
                             % self.auth_name(auth))
                elif auth is not None:
                    self.log("EVENT", "lcp client requires the server to authenticate "
                             "with %s" % self.auth_name(auth))
            return
        self.log("EVENT", "ppp %s LCP %s id=%d" % (direction, cname, ident))

    def _chap(self, direction, code, ident, data):
        if code == 1:
            name = data[1 + data[0]:] if data else b""
            self.log("EVENT", "ppp %s CHAP Challenge id=%d name=%s"
                     % (direction, ident, _printable(name)))
        elif code == 2:
            if not data:
                self.log("EVENT", "ppp %s CHAP Response id=%d malformed" % (direction, ident))
                return
            vsize = data[0]
            value = data[1:1 + vsize]
            name = data[1 + vsize:]
            kind = {49: "MS-CHAPv2", 16: "MD5"}.get(vsize, "value-size-%d" % vsize)
            self.log("EVENT", "ppp %s CHAP Response id=%d %s name=%s"
                     % (direction, ident, kind, _printable(name)))
            if direction == "c>s":
                nt = value[24:48] if vsize == 49 and len(value) == 49 else None
                self.chap_responses[ident] = (vsize, nt)
                self.last_response_id = ident
        elif code == 3:
            self.log("EVENT", "ppp %s CHAP Success id=%d" % (direction, ident))
            if direction == "s>c":
                self.chap_success_id = ident
        elif code == 4:
            self.log("EVENT", "ppp %s CHAP Failure id=%d msg=%s"
                     % (direction, ident, _printable(data)))
            if direction == "s>c":
                self.auth_failed = True
        else:
            self.log("EVENT", "ppp %s CHAP code=%d id=%d" % (direction, code, ident))

    def _eap(self, direction, code, data):
        if direction == "c>s" and code == 2 and data and data[0] > 3:
            self.eap_method = data[0]
            # EAP-MSCHAPv2 Response: type 26, OpCode 2, MS-CHAPv2-ID, MS-Length (2),
            # Value-Size 49, then the CHAP Response value (NT-Response at 24..47).
            if data[0] == EAPT_MSCHAPV2 and len(data) >= 6 + 49 and data[1] == 2 \
                    and data[5] == 49:
                self.eap_nt_response = bytes(data[6 + 24:6 + 48])
                self.eap_mschapv2_id = data[2]
        elif direction == "s>c" and code == 3:
            self.eap_success = True
        elif direction == "s>c" and code == 4:
            self.auth_failed = True

    def _pap(self, direction, code, ident, data):
        if code == 1:
            peer = data[1:1 + data[0]] if data else b""
            # never log the password that follows the peer-id
            self.log("EVENT", "ppp %s PAP Authenticate-Request id=%d peer-id=%s"
                     % (direction, ident, _printable(peer)))
        elif code in (2, 3):
            self.log("EVENT", "ppp %s PAP %s id=%d" % (
                direction, "Authenticate-Ack" if code == 2 else "Authenticate-Nak", ident))
            if direction == "s>c":
                if code == 2:
                    self.pap_acked = True
                else:
                    self.auth_failed = True
        else:
            self.log("EVENT", "ppp %s PAP code=%d id=%d" % (direction, code, ident))

    def expected_hlak(self, password, eap_keys_file=None):
        """Return (hlak, kind, None) or (None, None, (field, detail))."""
        auth = self.auth
        if auth is None:
            return ZERO_HLAK, "zero", None
        proto, alg = auth
        if proto == PPP_PAP:
            if not self.pap_acked:
                return None, None, ("auth-incomplete", "Call Connected before PAP Authenticate-Ack")
            return ZERO_HLAK, "zero", None
        if proto == PPP_CHAP:
            if self.chap_success_id is None:
                return None, None, ("auth-incomplete", "Call Connected before CHAP Success")
            if alg == 0x05:
                return ZERO_HLAK, "zero", None
            if alg == 0x81:
                ident = self.chap_success_id
                if ident not in self.chap_responses:
                    ident = self.last_response_id
                resp = self.chap_responses.get(ident)
                if resp is None or resp[1] is None:
                    return None, None, ("hlak-unknown", "no MS-CHAPv2 Response was seen")
                if password is None:
                    return None, None, ("hlak-unknown", "server has no --password to derive it")
                return mschapv2_hlak(password, resp[1]), "mschapv2", None
        if proto == PPP_EAP:
            if not self.eap_success:
                return None, None, ("auth-incomplete", "Call Connected before EAP Success")
            if self.eap_method == EAPT_MSCHAPV2:
                # sstp-protocol.md 4.3: the same HLAK as plain MS-CHAPv2
                if self.eap_nt_response is None:
                    return None, None, ("hlak-unknown", "no EAP-MSCHAPv2 Response was seen")
                if password is None:
                    return None, None, ("hlak-unknown", "server has no --password to derive it")
                return mschapv2_hlak(password, self.eap_nt_response), "eap-mschapv2", None
            if self.eap_method == EAPT_TLS:
                # sstp-protocol.md 4.3: the client's 32-byte MPPE send key,
                # which is the server pppd's receive key
                return read_server_keys(eap_keys_file)
            return None, None, ("hlak-unsupported-auth",
                                "no HLAK rule implemented for EAP type %s" % self.eap_method)
        return None, None, ("hlak-unsupported-auth",
                            "no HLAK rule implemented for %s" % self.auth_name(auth))


# ---------------------------------------------------------------------------
# One SSTP connection
# ---------------------------------------------------------------------------

class Closed(Exception):
    """Raised inside the pump to end the connection."""


class Connection:
    TLS_OUT_LIMIT = 4 * 1024 * 1024
    READ_BACKPRESSURE = 256 * 1024

    def __init__(self, server, conn_id, sock, peer):
        self.srv = server
        self.args = server.args
        self.id = conn_id
        self.raw = sock
        self.peer = peer
        self.tls = None
        self.sni = None
        self.state = None
        self.rx = bytearray()
        self.tls_out = bytearray()
        self.tls_pending_chunk = None    # chunk OpenSSL asked us to retry as is
        self.pty_out = bytearray()
        # pppd attaches its PPP line discipline to the pty only after it has
        # opened it; bytes written before then are lost in the switch. It
        # speaks first (LCP Configure-Request) once attached, so client frames
        # wait for that.
        self.pppd_spoke = False
        self.master = self.slave = None
        self.pppd = None
        self.pppd_pidfd = None
        self.pppd_pipe = None
        self.pppd_pipe_buf = b""
        self.pppd_exit_logged = False
        self.sel = None
        self.timers = {}
        self.close_reason = None
        self.abrupt = False
        self.snoop = PppSnoop(self.log)
        self.decoder = HdlcDecoder()
        self.nonce = None
        self.mask = server.hash_mask
        self.connect_requests = 0
        self.call_connected = False
        self.verdict = None
        self.data_before_cc = 0
        self.server_data_before_cc = 0
        self.violations = 0
        self.frames_c2s = 0
        self.frames_s2c = 0
        self.data_c2s = 0
        self.data_s2c = 0
        self.echo_outstanding = 0
        self.hello_probe_sent = False
        self.interrupted = False         # set when server shutdown broke a blocking read
        self.peer_gone = False           # the client closed TCP/TLS
        self.faults = server.faults_for(conn_id)
        self.rst = server.args.drop_rst  # abrupt close with RST instead of FIN
        self.mute = False                # silent-connected: discard all, send nothing

    # -- logging --
    def log(self, kind, text, redact=False):
        self.srv.log.line(self.id, kind, text, redact)

    def interrupt(self):
        """Called from the main thread at shutdown: unblock a TLS/HTTP-phase read."""
        if self.sel is None:
            self.interrupted = True
            try:
                # plain-socket shutdown (bypassing SSLSocket.shutdown, which would
                # drop the SSL object under the other thread's feet)
                socket.socket.shutdown(self.tls or self.raw, socket.SHUT_RDWR)
            except OSError:
                pass

    def failure(self, text):
        """An I/O failure: ERROR, unless our own shutdown caused it."""
        self.log("EVENT" if self.interrupted else "ERROR",
                 text + (" (server shutdown)" if self.interrupted else ""))

    def violation(self, text):
        self.violations += 1
        self.log("ERROR", "client-violation " + text)

    # -- entry point (thread) --
    def fault(self, name):
        return name in self.faults

    def run(self):
        try:
            self.log("EVENT", "tcp accepted from %s port %s" % (self.peer[0], self.peer[1]))
            if self.faults:
                self.log("EVENT", "fault %s" % "+".join(sorted(self.faults)))
            if self._tls_handshake() and self._http():
                self._sstp()
        except Closed:
            pass
        except Exception as e:                       # a bug here must be visible
            self.log("ERROR", "internal error: %r" % (e,))
            for ln in traceback.format_exc().splitlines():
                self.log("ERROR", "  " + ln)
        finally:
            self._teardown()

    # -- phase 1: TLS --
    def _tls_handshake(self):
        self.raw.settimeout(30)
        if self.fault("tls-close-handshake"):
            try:
                hello = self.raw.recv(4096)
            except OSError:
                hello = b""
            self.log("EVENT", "fault: closing TCP after %d bytes of ClientHello" % len(hello))
            self.close_reason = "fault-tls-close-handshake"
            return False
        try:
            self.tls = self.srv.ctx_for(self.id).wrap_socket(self.raw, server_side=True,
                                                do_handshake_on_connect=False)
            self.tls.do_handshake()
        except (ssl.SSLError, OSError) as e:
            if self.tls is not None:
                self.srv.sni_names.pop(id(self.tls), None)
            self.failure("tls handshake failed: %s" % e)
            self.close_reason = "tls-handshake-failed"
            return False
        self.sni = self.srv.sni_names.pop(id(self.tls), None)
        self.log("EVENT", "tls-up version=%s cipher=%s sni=%s" % (
            self.tls.version(), self.tls.cipher()[0], self.sni or "-"))
        if self.args.client_ca:
            peer = self.tls.getpeercert() or {}
            subject = ",".join("%s=%s" % kv for rdn in peer.get("subject", ()) for kv in rdn)
            self.log("EVENT", "tls-client-cert subject=%s" % (subject or "-"))
        if self.args.expect_host and self.sni != self.args.expect_host:
            self.violation("tls sni=%s, expected %s" % (self.sni, self.args.expect_host))
        return True

    # -- phase 2: HTTP --
    def _http_reply(self, status, close=True):
        try:
            reason = http.HTTPStatus(status).phrase
        except ValueError:
            reason = "Status"
        if status == 200:
            resp = ("HTTP/1.1 200 OK\r\nContent-Length: %s\r\nServer: sstp-test-server\r\n\r\n"
                    % ULONGLONG_MAX)
        else:
            resp = ("HTTP/1.1 %d %s\r\nContent-Length: 0\r\nConnection: close\r\n"
                    "Server: sstp-test-server\r\n\r\n" % (status, reason))
        self.tls.sendall(resp.encode("ascii"))
        self.log("EVENT", "http-response status=%d" % status)

    def _http_fault(self):
        """Runs an HTTP-phase fault; True if one ran (the connection then ends)."""
        status = [int(f[5:]) for f in self.faults if re.fullmatch(r"http-\d{3}", f)]
        if status:
            self._http_reply(status[0])
            self.close_reason = "fault-http-status"
            return True
        if self.fault("tls-close-http"):
            self.log("EVENT", "fault: closing TCP instead of answering")
            self.abrupt = True
            self.close_reason = "fault-tls-close-http"
            return True
        if self.fault("http-garbage"):
            self.tls.sendall(b"\x00\x17\xfe\xffSSH-2.0-not-http\r\n" + bytes(range(256)) * 2)
            self.log("EVENT", "fault: sent garbage instead of HTTP")
        elif self.fault("http-endless"):
            self.tls.sendall(b"HTTP/1.1 200 OK\r\n")
            line = b"X-Filler: " + b"a" * 1000 + b"\r\n"
            try:
                self.tls.settimeout(10)
                for _ in range(200):          # 200 KB, more than any client buffers
                    self.tls.sendall(line)
            except (socket.timeout, ssl.SSLError, OSError) as e:
                self.log("EVENT", "fault: endless header stopped: %s" % e)
            self.log("EVENT", "fault: sent an HTTP header that never ends")
        elif self.fault("http-trickle"):
            self.tls.sendall(b"HTTP/1.1 200 OK\r\nX-Trickle: ")
            self.log("EVENT", "fault: trickling the HTTP header one byte per second")
            try:
                for _ in range(600):
                    if self.srv.shutdown.wait(1.0):
                        break
                    self.tls.sendall(b"a")
            except (ssl.SSLError, OSError) as e:
                self.log("EVENT", "fault: trickle stopped: %s" % e)
            self.close_reason = "fault-http-trickle"
            return True
        else:
            return False
        self._wait_for_client_close()
        self.close_reason = "fault-http"
        return True

    def _wait_for_client_close(self, limit=300):
        """Reads and discards until the client closes (or limit seconds pass)."""
        self.tls.settimeout(1.0)
        end = time.monotonic() + limit
        while time.monotonic() < end and not self.srv.shutdown.is_set():
            try:
                if not self.tls.recv(4096):
                    break
            except socket.timeout:
                continue
            except (ssl.SSLError, OSError):
                break
        self.log("EVENT", "fault: client closed the connection")
        self.peer_gone = True

    def _http(self):
        self.tls.settimeout(60)
        buf = b""
        try:
            while b"\r\n\r\n" not in buf:
                chunk = self.tls.recv(4096)
                if not chunk:
                    self.failure("http: connection closed before the request header "
                                 "was complete (%d bytes)" % len(buf))
                    self.close_reason = "http-eof"
                    return False
                buf += chunk
                if len(buf) > HTTP_MAX_HEADER:
                    break
        except (socket.timeout, ssl.SSLError, OSError) as e:
            self.failure("http: reading request failed: %s" % e)
            self.close_reason = "http-read-failed"
            return False

        end = buf.find(b"\r\n\r\n")
        checks = []           # (name, ok, detail)

        def check(name, ok, detail):
            checks.append((name, ok, detail))
            self.log("EVENT", "http-check %s %s (%s)" % (name, "ok" if ok else "FAIL", detail))

        if end < 0:
            check("header-size", False, "no end of header within %d bytes" % HTTP_MAX_HEADER)
        else:
            head, extra = buf[:end], buf[end + 4:]
            # The client must wait for our response before sending SSTP (doc 1.4).
            check("no-early-body", not extra,
                  "%d bytes after the header before our response" % len(extra))
            text = head.decode("latin-1")
            lines = text.split("\r\n")
            check("line-endings", not any("\n" in ln or "\r" in ln for ln in lines),
                  "CRLF line endings")
            reqline = lines[0]
            parts = reqline.split(" ")
            check("request-line-form", len(parts) == 3, repr(reqline))
            method, uri, version = (parts + ["", "", ""])[:3]
            check("method", method == SSTP_METHOD, method)
            check("uri", uri == SSTP_URI, uri)
            check("version", version == "HTTP/1.1", version)
            headers = {}
            dup = []
            malformed = []
            for ln in lines[1:]:
                if ":" not in ln or ln[:1] in (" ", "\t"):
                    malformed.append(ln)
                    continue
                name, value = ln.split(":", 1)
                key = name.strip().lower()
                if key in headers:
                    dup.append(name)
                headers[key] = value.strip()
                self.log("EVENT", "http-header %s: %s" % (name, value.strip()))
            check("header-syntax", not malformed, "malformed lines: %r" % malformed)
            check("no-duplicate-headers", not dup, "duplicates: %r" % dup)
            host = headers.get("host")
            check("host", bool(host), "Host: %s" % host)
            if self.args.expect_host and host is not None:
                hostname = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
                check("host-value", hostname == self.args.expect_host,
                      "%s vs expected %s" % (host, self.args.expect_host))
            cl = headers.get("content-length")
            check("content-length", cl == ULONGLONG_MAX, "Content-Length: %s" % cl)
            cid = headers.get("sstpcorrelationid")
            check("correlation-id", cid is not None and bool(GUID_RE.match(cid)),
                  "SSTPCORRELATIONID: %s" % cid)

        failed = [c for c in checks if not c[1]]
        try:
            if failed:
                for name, _, detail in failed:
                    self.log("VERDICT", "http MISMATCH %s (%s)" % (name, detail))
                self._http_reply(400)
                self.close_reason = "http-bad-request"
                return False
            self.log("VERDICT", "http OK")
            if self._http_fault():
                return False
            if self.args.http_status is not None and self.args.http_status != 200:
                self._http_reply(self.args.http_status)
                self.close_reason = "http-status-injected"
                return False
            self._http_reply(200)
        except (ssl.SSLError, OSError) as e:
            self.log("ERROR", "http: sending response failed: %s" % e)
            self.close_reason = "http-write-failed"
            return False
        return True

    # -- phase 3: SSTP --
    def _sstp(self):
        self.tls.setblocking(False)
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.tls, selectors.EVENT_READ, "tls")
        self._set_state(S_REQUEST_PENDING)
        self.timers["negotiation"] = time.monotonic() + self.args.negotiation_timeout
        while self.close_reason is None:
            if self.srv.shutdown.is_set():
                self.close_reason = "server-shutdown"
                break
            self._update_interest()
            now = time.monotonic()
            timeout = 0.5
            if self.timers:
                timeout = max(0.0, min(timeout, min(self.timers.values()) - now))
            if self._tls_readable_buffered():
                timeout = 0.0
            events = self.sel.select(timeout)
            for key, mask in events:
                if self.close_reason is not None:
                    break
                what = key.data
                if what == "tls":
                    if mask & selectors.EVENT_READ:
                        self._read_tls()
                elif what == "pty":
                    if mask & selectors.EVENT_READ:
                        self._read_pty()
                elif what == "pppd-out":
                    self._read_pppd_output()
                elif what == "pppd-exit":
                    self._check_pppd()
            if self.close_reason is None and self._tls_readable_buffered():
                self._read_tls()
            if self.close_reason is None:
                if self.pppd is not None and self.pppd_pidfd is None:
                    self._check_pppd()            # no pidfd: poll
                self._run_timers()
            self._flush()

    def _tls_readable_buffered(self):
        return (len(self.pty_out) < self.READ_BACKPRESSURE and self.tls is not None
                and self.tls.pending() > 0)

    def _set_state(self, st):
        if st != self.state:
            self.log("EVENT", "state %s -> %s" % (self.state or "HTTP_DONE", st))
            self.state = st

    def _update_interest(self):
        want = 0
        if len(self.pty_out) < self.READ_BACKPRESSURE:
            want |= selectors.EVENT_READ
        if self.tls_out or self.tls_pending_chunk:
            want |= selectors.EVENT_WRITE
        self._set_interest(self.tls, want, "tls")
        if self.master is not None:
            want = 0
            if len(self.tls_out) < self.READ_BACKPRESSURE:
                want |= selectors.EVENT_READ
            if self.pty_out and self.pppd_spoke:
                want |= selectors.EVENT_WRITE
            self._set_interest(self.master, want, "pty")

    def _set_interest(self, fileobj, events, tag):
        try:
            key = self.sel.get_key(fileobj)
        except KeyError:
            key = None
        if events == 0:
            if key is not None:
                self.sel.unregister(fileobj)
        elif key is None:
            self.sel.register(fileobj, events, tag)
        elif key.events != events:
            self.sel.modify(fileobj, events, tag)

    # -- I/O --
    def _read_tls(self):
        for _ in range(64):
            try:
                data = self.tls.recv(65536)
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                return
            except ssl.SSLEOFError:
                self._peer_closed("without TLS close_notify")
                return
            except (ssl.SSLError, OSError) as e:
                self._peer_closed("with error: %s" % e)
                return
            if not data:
                self._peer_closed("with TLS close_notify")
                return
            self.rx += data
            self._process_rx()
            if self.close_reason is not None or len(self.pty_out) >= self.READ_BACKPRESSURE:
                return

    def _peer_closed(self, how):
        self.log("EVENT", "tcp closed by client %s in state %s" % (how, self.state))
        if self.state not in TEARDOWN_STATES:
            self.log("EVENT", "client closed the connection without Call Disconnect/Abort")
        self.peer_gone = True
        self.close_reason = {S_ABORT_TIMEOUT_PENDING: "abort-complete",
                             S_DISCONNECT_TIMEOUT_PENDING: "disconnect-complete"}.get(
                                 self.state, "client-closed")

    def _flush(self):
        while self.tls_out or self.tls_pending_chunk:
            chunk = self.tls_pending_chunk or bytes(self.tls_out[:16384])
            if self.tls_pending_chunk is None:
                del self.tls_out[:len(chunk)]
            try:
                n = self.tls.send(chunk)
            except (ssl.SSLWantWriteError, ssl.SSLWantReadError):
                self.tls_pending_chunk = chunk
                break
            except (ssl.SSLError, OSError) as e:
                self.log("EVENT", "tls send failed: %s" % e)
                self.tls_out.clear()
                self.tls_pending_chunk = None
                if self.close_reason is None:
                    self.close_reason = "tls-send-failed"
                break
            self.tls_pending_chunk = None
            if n < len(chunk):
                self.tls_out[0:0] = chunk[n:]
        if len(self.tls_out) > self.TLS_OUT_LIMIT:
            self.log("ERROR", "client does not read: %d bytes queued" % len(self.tls_out))
            self.close_reason = "client-not-reading"
        while self.pty_out and self.master is not None and self.pppd_spoke:
            try:
                n = os.write(self.master, self.pty_out)
            except BlockingIOError:
                break
            except OSError as e:
                self.log("ERROR", "pty write failed: %s" % e)
                self.pty_out.clear()
                break
            del self.pty_out[:n]

    def _send_control(self, pkt, note=""):
        if self.mute:
            return
        self.log("EVENT", "sstp-tx %s%s" % (describe_control(pkt), note))
        self.tls_out += pkt

    def _send_raw(self, data, what):
        self.log("EVENT", "fault: sent %s (%d bytes: %s...)" % (what, len(data), hexs(data[:12])))
        self.tls_out += data

    # -- SSTP receive path --
    def _process_rx(self):
        if self.mute:
            self.rx.clear()
            return
        while self.close_reason is None and len(self.rx) >= 4:
            ver, flags, length = struct.unpack("!BBH", self.rx[:4])
            if ver != SSTP_VERSION:
                self.log("ERROR", "sstp: bad version byte 0x%02x (stream %s...); closing "
                         "without a reply" % (ver, hexs(self.rx[:16])))
                self.violations += 1
                self.close_reason = "framing-error"
                return
            if flags & 0xFE or length & 0xF000:
                self.violation("sstp: reserved header bits set (%s)" % hexs(self.rx[:4]))
            is_control = flags & 0x01
            length &= 0x0FFF
            if length < (8 if is_control else 4):
                self.log("ERROR", "sstp: bad packet length %d (%s); closing without a reply"
                         % (length, "control" if is_control else "data"))
                self.violations += 1
                self.close_reason = "framing-error"
                return
            if len(self.rx) < length:
                return
            pkt = bytes(self.rx[:length])
            del self.rx[:length]
            if self.state == S_CONNECTED:
                self._restart_hello()
            if is_control:
                self._on_control(pkt)
            else:
                self._on_data(pkt[4:])

    def _restart_hello(self):
        self.timers["hello"] = time.monotonic() + self.args.hello_timeout
        self.hello_probe_sent = False

    def _on_control(self, pkt):
        msg_type, attrs, err = parse_control(pkt)
        self.log("EVENT", "sstp-rx %s" % describe_control(pkt))
        st = self.state
        if err:
            self.violation("sstp: malformed control message: %s" % err)
            if st not in TEARDOWN_STATES:
                self._start_abort(ATTR_NO_ERROR, STATUS_INVALID_FRAME_RECEIVED,
                                  "malformed control message")
            return

        if msg_type in (MSG_CALL_ABORT, MSG_CALL_DISCONNECT):
            self._check_abort_disconnect_shape(pkt, msg_type, attrs)

        if st == S_ABORT_PENDING:
            if msg_type == MSG_CALL_ABORT:
                self.log("EVENT", "call-abort received (answer to our abort)")
                self._set_state(S_ABORT_TIMEOUT_PENDING)
                self.timers = {"state": time.monotonic() + ABORT2_TIMEOUT}
            else:
                self.log("EVENT", "ignored %s in %s" % (MSG_NAMES.get(msg_type, msg_type), st))
            return
        if st in (S_ABORT_TIMEOUT_PENDING, S_DISCONNECT_TIMEOUT_PENDING):
            self.log("EVENT", "ignored %s in %s" % (MSG_NAMES.get(msg_type, msg_type), st))
            return

        # states where an Abort or a Disconnect from the client is honoured
        if msg_type == MSG_CALL_ABORT:
            self.log("EVENT", "call-abort received")
            self._send_control(sstp_control(MSG_CALL_ABORT,
                                            [sstp_status_info(ATTR_NO_ERROR, STATUS_NO_ERROR)]))
            self._set_state(S_ABORT_TIMEOUT_PENDING)
            self.timers = {"state": time.monotonic() + ABORT2_TIMEOUT}
            return
        if msg_type == MSG_CALL_DISCONNECT and self.fault("abort-on-disconnect"):
            self.log("EVENT", "call-disconnect received")
            self._start_abort(ATTR_NO_ERROR, STATUS_NO_ERROR, "fault abort-on-disconnect")
            return
        if msg_type == MSG_CALL_DISCONNECT:
            self.log("EVENT", "call-disconnect received")
            self._send_control(sstp_control(MSG_CALL_DISCONNECT_ACK))
            self._set_state(S_DISCONNECT_TIMEOUT_PENDING)
            self.timers = {"state": time.monotonic() + DISCONNECT2_TIMEOUT}
            return
        if st == S_DISCONNECT_ACK_PENDING:
            if msg_type == MSG_CALL_DISCONNECT_ACK:
                self._check_exact(pkt, 8, "CALL_DISCONNECT_ACK")
                self.log("EVENT", "disconnect-ack received")
                self.close_reason = "disconnect-complete"
            else:
                self.log("EVENT", "ignored %s in %s" % (MSG_NAMES.get(msg_type, msg_type), st))
            return

        # S_REQUEST_PENDING, S_CONNECTED_PENDING, S_CONNECTED
        if msg_type == MSG_CALL_CONNECT_REQUEST and st == S_REQUEST_PENDING:
            self._on_connect_request(pkt, attrs)
        elif msg_type == MSG_CALL_CONNECTED and st == S_CONNECTED_PENDING:
            self._on_call_connected(pkt)
        elif msg_type == MSG_ECHO_REQUEST and st == S_CONNECTED:
            self._check_exact(pkt, 8, "ECHO_REQUEST")
            if self.fault("echo-ignore"):
                self.log("EVENT", "echo-request received; fault: not answering it")
            else:
                self.log("EVENT", "echo-request received")
                self._send_control(sstp_control(MSG_ECHO_RESPONSE))
        elif msg_type == MSG_ECHO_RESPONSE and st == S_CONNECTED and self.echo_outstanding > 0:
            self._check_exact(pkt, 8, "ECHO_RESPONSE")
            self.echo_outstanding -= 1
            self.log("EVENT", "echo-response received")
        else:
            name = MSG_NAMES.get(msg_type, "unknown message type 0x%04x" % msg_type)
            if msg_type == MSG_ECHO_RESPONSE and st == S_CONNECTED:
                name = "unsolicited ECHO_RESPONSE"
            self.violation("sstp: %s not expected in state %s" % (name, st))
            self._start_abort(ATTR_NO_ERROR, STATUS_UNACCEPTED_FRAME_RECEIVED,
                              "unexpected %s" % name)

    def _check_exact(self, pkt, length, name):
        if len(pkt) != length:
            self.violation("sstp: %s has length %d, expected %d" % (name, len(pkt), length))

    def _check_abort_disconnect_shape(self, pkt, msg_type, attrs):
        # SHOULD carry one Status Info, nothing else (doc 2.4); zero attributes accepted.
        if len(attrs) > 1 or any(a != ATTR_STATUS_INFO or len(v) < 8 for a, v in attrs):
            self.violation("sstp: %s must carry at most one Status Info attribute"
                           % MSG_NAMES[msg_type])

    # -- Call Connect Request --
    def _on_connect_request(self, pkt, attrs):
        self.connect_requests += 1
        if pkt != CALL_CONNECT_REQUEST_BYTES:
            detail = "got %s, expected %s" % (hexs(pkt), hexs(CALL_CONNECT_REQUEST_BYTES))
            self.log("VERDICT", "connect-request MISMATCH bytes (%s)" % detail)
            self.violations += 1
            protos = [v for a, v in attrs if a == ATTR_ENCAPSULATED_PROTOCOL_ID]
            if len(attrs) == 1 and len(protos) == 1 and len(protos[0]) == 2 \
                    and protos[0] != b"\x00\x01":
                # MS-SSTP: an unsupported encapsulated protocol is NAKed.
                self._send_control(sstp_control(MSG_CALL_CONNECT_NAK, [sstp_status_info(
                    ATTR_ENCAPSULATED_PROTOCOL_ID, STATUS_VALUE_NOT_SUPPORTED, b"\x00\x01")]))
                self.timers["negotiation"] = time.monotonic() + self.args.negotiation_timeout
            else:
                self._start_abort(ATTR_ENCAPSULATED_PROTOCOL_ID, STATUS_INVALID_FRAME_RECEIVED,
                                  "bad Call Connect Request")
            return
        self.log("VERDICT", "connect-request OK")
        if self._connect_request_fault():
            return
        if self.connect_requests <= self.args.nak:
            self.log("EVENT", "connect-nak sent (--nak %d, request %d)"
                     % (self.args.nak, self.connect_requests))
            self._send_control(sstp_control(MSG_CALL_CONNECT_NAK, [sstp_status_info(
                ATTR_ENCAPSULATED_PROTOCOL_ID, STATUS_VALUE_NOT_SUPPORTED, b"\x00\x01")]))
            self.timers["negotiation"] = time.monotonic() + self.args.negotiation_timeout
            return
        self.nonce = os.urandom(32)
        ack = self._build_ack()
        if self.fault("sstp-reserved-bits"):
            ack = bytearray(ack)
            ack[1] |= 0xFE                 # reserved flag bits
            ack[2] |= 0xF0                 # reserved length bits
            ack[8] = 0xFF                  # attribute header: reserved byte
            ack[10] |= 0xF0                # attribute length: reserved bits
            self._send_raw(bytes(ack), "an Ack with all reserved bits set")
        elif self.fault("sstp-len-max"):
            ack = bytearray(ack) + bytes(SSTP_MAX_PACKET - len(ack))
            ack[2:4] = b"\xff\xff"
            self._send_raw(bytes(ack), "an Ack padded to 4095 bytes, length field 0xFFFF")
        elif self.fault("sstp-unknown-attr"):
            body = sstp_attr(0x7E, b"\x12\x34\x56\x78") + ack[8:]
            ack = struct.pack("!BBHHH", SSTP_VERSION, 1, 8 + len(body), MSG_CALL_CONNECT_ACK,
                              2) + body
            self._send_raw(ack, "an Ack with an unknown attribute 0x7E")
        else:
            assert len(ack) == 48
            self._send_control(ack)
        self._set_state(S_CONNECTED_PENDING)
        self.timers["negotiation"] = time.monotonic() + self.args.negotiation_timeout
        self._start_pppd()
        if self.fault("flood-before-connected"):
            frame = b"\xff\x03\x00\x21" + bytes(96)
            self.tls_out += sstp_data(frame) * FLOOD_PACKETS
            self.log("EVENT", "fault: sent %d IPv4 data packets before Call Connected"
                     % FLOOD_PACKETS)
        if self.fault("abort-ack"):
            self._start_abort(ATTR_NO_ERROR, STATUS_NO_ERROR, "fault abort-ack")
        elif self.fault("disconnect-ack"):
            self._start_disconnect("fault disconnect-ack")

    def _build_ack(self, mask=None):
        mask = self.mask if mask is None else mask
        return sstp_control(MSG_CALL_CONNECT_ACK, [sstp_attr(
            ATTR_CRYPTO_BINDING_REQ, b"\x00\x00\x00" + bytes((mask,)) + self.nonce)])

    def _connect_request_fault(self):
        """Answers the Call Connect Request wrongly; True if a fault did."""
        self.nonce = os.urandom(32)
        ack = self._build_ack()
        if self.fault("sstp-bad-version"):
            self._send_raw(b"\x11" + ack[1:], "an Ack with version 0x11")
        elif self.fault("sstp-len-small"):
            self._send_raw(b"\x10\x01\x00\x03" + ack[4:], "a control packet of length 3")
        elif self.fault("sstp-len-over"):
            self._send_raw(ack[:2] + struct.pack("!H", 100) + ack[4:],
                           "an Ack claiming 100 bytes")
            self.timers = {"fault-close": time.monotonic() + 1.0}
        elif self.fault("sstp-truncated"):
            self._send_raw(ack[:20], "20 bytes of a 48-byte Ack")
            self.timers = {"fault-close": time.monotonic() + 1.0}
        elif self.fault("sstp-unknown-msg"):
            self._send_raw(sstp_control(0x00AB), "control message type 0x00AB")
        elif self.fault("sstp-attr-overrun"):
            self._send_raw(ack[:10] + struct.pack("!H", 0x100) + ack[12:],
                           "an Ack whose attribute claims 256 bytes")
        elif self.fault("nak") or self.fault("nak-alt"):
            self.log("EVENT", "fault: connect-nak sent (request %d)" % self.connect_requests)
            value = b"\x00\x01" if self.fault("nak-alt") else b""
            self._send_control(sstp_control(MSG_CALL_CONNECT_NAK, [sstp_status_info(
                ATTR_ENCAPSULATED_PROTOCOL_ID, STATUS_VALUE_NOT_SUPPORTED, value)]))
            self.timers["negotiation"] = time.monotonic() + self.args.negotiation_timeout
        elif self.fault("ack-nohash"):
            self._send_control(self._build_ack(mask=0), " (fault: no hash offered)")
        elif self.fault("ack-never"):
            self.log("EVENT", "fault: not answering the Call Connect Request")
            self.timers = {}
        elif self.fault("ack-half"):
            self._send_raw(ack[:24], "half an Ack, then silence")
            self.timers = {}
        elif self.fault("abort-request"):
            self._start_abort(ATTR_NO_ERROR, STATUS_NO_ERROR, "fault abort-request")
        elif self.fault("disconnect-request"):
            self._start_disconnect("fault disconnect-request")
        else:
            return False
        return True

    def _write_secrets(self, hlak, hp):
        """For the secret-hygiene test: what must never show up in a client log."""
        with open(self.args.secrets_out, "a") as f:
            f.write("password %s\n" % self.srv.password.encode().hex())
            f.write("mppe-send-key %s\n" % hlak[:16].hex())
            f.write("mppe-recv-key %s\n" % hlak[16:].hex())
            f.write("hlak %s\n" % hlak.hex())
            f.write("cmk %s\n" % compute_cmk(hlak, hp).hex())

    # -- Call Connected --
    def _on_call_connected(self, pkt):
        bad = []
        hlak, kind, problem = self.snoop.expected_hlak(self.srv.password,
                                                       self.srv.args.eap_keys_file)
        if problem:
            bad.append(problem)
        hp, more = verify_call_connected(pkt, self.mask, self.nonce,
                                         self.srv.digests_for(self.id), hlak)
        bad += more
        if self.args.secrets_out and hp in HASH_LEN and kind == "mschapv2":
            self._write_secrets(hlak, hp)
        if self.data_before_cc:
            bad.append(("ordering", "%d data frame(s) from the client before Call Connected"
                        % self.data_before_cc))
        if bad:
            for field, detail in bad:
                self.log("VERDICT", "call-connected MISMATCH %s (%s)" % (field, detail))
            self.verdict = "MISMATCH"
            self.violations += 1
            self._start_abort(ATTR_CRYPTO_BINDING, STATUS_INVALID_FRAME_RECEIVED,
                              "Call Connected verification failed")
            return
        self.verdict = "OK"
        self.log("VERDICT", "call-connected OK hash=%s hlak=%s auth=%s" % (
            HASH_NAMES[hp], kind, self.snoop.auth_name(self.snoop.auth)))
        self.call_connected = True
        self._set_state(S_CONNECTED)
        self.timers.pop("negotiation", None)
        now = time.monotonic()
        self._restart_hello()
        a = self.args
        if a.echo_interval:
            self.timers["echo"] = now + a.echo_interval
        if a.disconnect_after is not None:
            self.timers["disconnect-after"] = now + a.disconnect_after
        if a.drop_after is not None and (a.drop_calls is None or self.id <= a.drop_calls):
            self.timers["drop-after"] = now + a.drop_after
        if any(self.fault(f) for f in CONNECTED_FAULTS):
            # Silence must not cut IPCP short: pppd would give up on it first.
            delay = max(a.fault_delay, 5.0) if self.fault("silent-connected") else a.fault_delay
            self.timers["fault"] = now + delay

    # -- aborts / disconnects we start --
    def _start_abort(self, about_attr, status, reason):
        self.log("EVENT", "call-abort sent reason=%s status=%s" % (reason, STATUS_NAMES[status]))
        self._send_control(sstp_control(MSG_CALL_ABORT, [sstp_status_info(about_attr, status)]))
        self._set_state(S_ABORT_PENDING)
        self.timers = {"abort1": time.monotonic() + ABORT1_TIMEOUT}

    def _start_disconnect(self, reason):
        self.log("EVENT", "call-disconnect sent reason=%s" % reason)
        self._send_control(sstp_control(MSG_CALL_DISCONNECT,
                                        [sstp_status_info(ATTR_NO_ERROR, STATUS_NO_ERROR)]))
        self._set_state(S_DISCONNECT_ACK_PENDING)
        self.timers = {"disconnect1": time.monotonic() + DISCONNECT1_TIMEOUT}

    # -- timers --
    def _run_timers(self):
        now = time.monotonic()
        for name, deadline in sorted(self.timers.items(), key=lambda kv: kv[1]):
            if self.close_reason is not None:
                return
            if self.timers.get(name) != deadline or deadline > now:
                continue                    # cancelled/rescheduled meanwhile, or not due
            del self.timers[name]
            self._timer_fired(name, now)

    def _timer_fired(self, name, now):
        a = self.args
        if name == "negotiation":
            self.log("ERROR", "negotiation timeout (%gs) in state %s"
                     % (a.negotiation_timeout, self.state))
            self._start_abort(ATTR_NO_ERROR, STATUS_NEGOTIATION_TIMEOUT, "negotiation timeout")
        elif name == "hello":
            if not self.hello_probe_sent:
                self.hello_probe_sent = True
                self.echo_outstanding += 1
                self.log("EVENT", "hello timer expired: echo-request sent")
                self._send_control(sstp_control(MSG_ECHO_REQUEST))
                self.timers["hello"] = now + a.hello_timeout
            else:
                self.log("ERROR", "hello timeout: nothing from the client for 2 x %gs; dropping"
                         % a.hello_timeout)
                self.close_reason = "hello-timeout"
        elif name == "echo":
            self.echo_outstanding += 1
            self.log("EVENT", "echo-request sent (outstanding %d)" % self.echo_outstanding)
            self._send_control(sstp_control(MSG_ECHO_REQUEST))
            self.timers["echo"] = now + a.echo_interval
        elif name == "disconnect-after":
            self._start_disconnect("--disconnect-after")
        elif name == "drop-after":
            self.log("EVENT", "drop: closing TCP abruptly (--drop-after %g)" % a.drop_after)
            self.abrupt = True
            self.close_reason = "dropped"
        elif name == "fault":
            self._connected_fault()
        elif name == "fault-close":
            self.log("EVENT", "fault: closing the connection")
            self.close_reason = "fault-close"
        elif name == "pppd-gone":
            if self.state not in TEARDOWN_STATES:
                self.log("EVENT", "server pppd has ended and the client sent no Call Disconnect "
                         "within %gs" % a.pppd_exit_grace)
                self._start_disconnect("server pppd ended")
        elif name == "abort1":
            self.violation("no Call Abort reply from the client within %gs" % ABORT1_TIMEOUT)
            self.close_reason = "abort-timeout"
        elif name == "disconnect1":
            self.violation("no Call Disconnect Ack from the client within %gs"
                           % DISCONNECT1_TIMEOUT)
            self.close_reason = "disconnect-ack-timeout"
        elif name == "state":
            self.close_reason = {S_ABORT_TIMEOUT_PENDING: "abort-complete",
                                 S_DISCONNECT_TIMEOUT_PENDING: "disconnect-complete"}.get(
                                     self.state, "state-timer")

    def _connected_fault(self):
        if self.fault("abort-connected"):
            self._start_abort(ATTR_NO_ERROR, STATUS_NO_ERROR, "fault abort-connected")
        elif self.fault("disconnect-connected"):
            self._start_disconnect("fault disconnect-connected")
        elif self.fault("fin-connected") or self.fault("rst-connected"):
            self.rst = self.fault("rst-connected")
            self.log("EVENT", "fault: closing TCP abruptly (%s)" % ("RST" if self.rst else "FIN"))
            self.abrupt = True
            self.close_reason = "fault-drop"
        elif self.fault("silent-connected"):
            self.log("EVENT", "fault: going silent (discarding everything, sending nothing)")
            self.timers = {}
            self.mute = True

    # -- PPP data path --
    def _on_data(self, frame):
        st = self.state
        if st in TEARDOWN_STATES:
            return
        if st == S_REQUEST_PENDING:
            self.violation("sstp: PPP frame (%d bytes) before Call Connect Ack; dropped"
                           % len(frame))
            return
        if len(frame) == 0:
            self.violation("sstp: empty data packet")
            return
        if frame[:2] != b"\xff\x03":
            self.violation("ppp: frame without FF 03 address/control (%s...)" % hexs(frame[:4]))
            body = frame
        else:
            body = frame[2:]
        if len(body) >= 1 and body[0] & 1:
            self.violation("ppp: compressed 1-byte protocol field 0x%02x" % body[0])
            proto, payload = body[0], body[1:]
        elif len(body) >= 2:
            proto, payload = (body[0] << 8) | body[1], body[2:]
        else:
            self.violation("ppp: frame too short (%s)" % hexs(frame))
            return
        self.frames_c2s += 1
        if proto < 0x8000:
            if st == S_CONNECTED_PENDING:
                self.data_before_cc += 1
                self.log("EVENT", "data-before-call-connected proto=0x%04x len=%d count=%d "
                         "(dropped)" % (proto, len(frame), self.data_before_cc))
                return
            if self.data_c2s == 0:
                self.log("EVENT", "first data frame client->server proto=0x%04x" % proto)
            self.data_c2s += 1
        self.snoop.observe("c>s", proto, payload)
        if self.master is not None:
            self.pty_out += hdlc_encode(frame)
        if self.args.eap_nak_md5:
            self._eap_success_for_client(proto, payload)

    def _read_pty(self):
        try:
            data = os.read(self.master, 65536)
        except BlockingIOError:
            return
        except OSError as e:
            if e.errno != errno.EIO:
                self.log("ERROR", "pty read failed: %s" % e)
            self._close_pty()
            return
        if data:
            self.pppd_spoke = True
        if self.mute:
            return
        before = (self.decoder.bad_fcs, self.decoder.aborted, self.decoder.oversize)
        frames = self.decoder.feed(data)
        after = (self.decoder.bad_fcs, self.decoder.aborted, self.decoder.oversize)
        if after != before:
            self.log("ERROR", "hdlc from server pppd: bad-fcs=%d aborted=%d oversize=%d" % after)
        for f in frames:
            nf, proto = normalise_ppp_frame(f)
            if nf is None:
                self.log("ERROR", "hdlc from server pppd: unusable frame %s" % hexs(f[:8]))
                continue
            if len(nf) > PPP_MAX_FRAME:
                self.log("ERROR", "server pppd frame of %d bytes exceeds the SSTP maximum %d; "
                         "dropped" % (len(nf), PPP_MAX_FRAME))
                continue
            st = self.state
            if st not in (S_CONNECTED_PENDING, S_CONNECTED):
                continue
            if proto < 0x8000:
                if st == S_CONNECTED_PENDING:
                    self.server_data_before_cc += 1
                    self.log("EVENT", "server-data-before-call-connected proto=0x%04x (dropped)"
                             % proto)
                    continue
                if self.data_s2c == 0:
                    self.log("EVENT", "first data frame server->client proto=0x%04x" % proto)
                self.data_s2c += 1
            if self.args.eap_nak_md5:
                if self._nak_md5_for_client(proto, nf):
                    continue
                nf = self._fix_mschapv2_success_id(proto, nf)
            self.frames_s2c += 1
            self.snoop.observe("s>c", proto, nf[4:])
            self.tls_out += sstp_data(nf)

    def _nak_md5_for_client(self, proto, nf):
        """--eap-nak-md5: pppd as EAP authenticator offers MD5-Challenge first and
        moves to EAP-MSCHAPv2 only when the peer Naks it (as Windows clients do);
        pppd as EAP peer never does. Answer the server pppd's MD5-Challenge with
        Nak(MSCHAPv2) in the client's place and keep it from the client."""
        if proto != PPP_EAP or len(nf) < 9 or nf[4] != 1 or nf[8] != EAPT_MD5:
            return False
        nak = bytes([2, nf[5]]) + struct.pack("!H", 6) + bytes([EAPT_NAK, EAPT_MSCHAPV2])
        self.pty_out += hdlc_encode(b"\xff\x03" + struct.pack("!H", PPP_EAP) + nak)
        self.log("EVENT", "eap: answered the server pppd's MD5-Challenge id=%d with "
                 "Nak(MSCHAPv2) for the client (--eap-nak-md5)" % nf[5])
        return True

    def _fix_mschapv2_success_id(self, proto, nf):
        """--eap-nak-md5: pppd as EAP authenticator (2.4.9 and 2.5) sends its
        EAP-MSCHAPv2 Success Request with its next EAP id as MS-CHAPv2-ID, but
        the peer must see the MS-CHAPv2-ID of its own Response there
        (draft-kamath-pppext-eap-mschapv2 2.2, as Windows servers send it);
        pppd as peer looks its Authenticator Response up by that id and fails
        mutual authentication otherwise. Put the Response's id back."""
        response_id = self.snoop.eap_mschapv2_id
        if proto != PPP_EAP or len(nf) < 11 or nf[4] != 1 or nf[8] != EAPT_MSCHAPV2 \
                or nf[9] != 3 or response_id is None or nf[10] == response_id:
            return nf
        self.log("EVENT", "eap: MS-CHAPv2-ID of the server pppd's Success set from %d to %d, "
                 "the Response's (--eap-nak-md5)" % (nf[10], response_id))
        return nf[:10] + bytes([response_id]) + nf[11:]

    def _eap_success_for_client(self, proto, payload):
        """--eap-nak-md5: once the peer has acknowledged the EAP-MSCHAPv2
        Success (Response, OpCode Success), the authenticator ends EAP with an
        EAP Success; pppd's authenticator never sends it, and pppd as peer
        waits for it before it counts itself authenticated. Send it in the
        server pppd's place."""
        if proto != PPP_EAP or len(payload) < 6 or payload[0] != 2 \
                or payload[4] != EAPT_MSCHAPV2 or payload[5] != 3:
            return
        success = bytes([3, payload[1]]) + struct.pack("!H", 4)
        frame = b"\xff\x03" + struct.pack("!H", PPP_EAP) + success
        self.log("EVENT", "eap: sent EAP Success id=%d to the client in the server pppd's "
                 "place (--eap-nak-md5)" % payload[1])
        self.snoop.observe("s>c", PPP_EAP, success)
        self.tls_out += sstp_data(frame)

    # -- server pppd --
    def _start_pppd(self):
        a = self.args
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        os.set_blocking(self.master, False)
        slave_path = os.ttyname(self.slave)
        cmd = [a.pppd, slave_path, "nodetach"]
        if a.eap_keys_file:
            # This call's server pppd writes its keys only after EAP Success;
            # until then the file must not hold the previous call's keys,
            # which would be read as this call's after a redial.
            try:
                os.unlink(a.eap_keys_file)
            except FileNotFoundError:
                pass
        options = a.alt_pppd_options if self.fault("pppd-alt") else a.pppd_options
        if options:
            cmd += ["file", options]
        cmd += a.pppd_arg
        try:
            self.pppd = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT, start_new_session=True,
                                         close_fds=True)
        except OSError as e:
            self.log("ERROR", "cannot start pppd %s: %s" % (a.pppd, e))
            self._start_abort(ATTR_NO_ERROR, STATUS_NO_ERROR, "server pppd failed to start")
            return
        self.srv.register_pppd(self.pppd)
        self.log("EVENT", "pppd started pid=%d cmd=%s" % (self.pppd.pid, " ".join(cmd)),
                 redact=True)
        self.pppd_pipe = self.pppd.stdout
        os.set_blocking(self.pppd_pipe.fileno(), False)
        self.sel.register(self.pppd_pipe, selectors.EVENT_READ, "pppd-out")
        try:
            self.pppd_pidfd = os.pidfd_open(self.pppd.pid)
            self.sel.register(self.pppd_pidfd, selectors.EVENT_READ, "pppd-exit")
        except (AttributeError, OSError):
            self.pppd_pidfd = None

    def _read_pppd_output(self, final=False):
        if self.pppd_pipe is None:
            return
        while True:
            try:
                chunk = os.read(self.pppd_pipe.fileno(), 4096)
            except BlockingIOError:
                chunk = None
            except OSError:
                chunk = b""
            if chunk:
                self.pppd_pipe_buf += chunk
                *lines, self.pppd_pipe_buf = self.pppd_pipe_buf.split(b"\n")
                for ln in lines:
                    self.log("PPPD", ln.decode("utf-8", "replace").rstrip(), redact=True)
                continue
            if chunk == b"" or final:           # EOF (or giving up at teardown)
                if self.pppd_pipe_buf:
                    self.log("PPPD", self.pppd_pipe_buf.decode("utf-8", "replace").rstrip(),
                             redact=True)
                    self.pppd_pipe_buf = b""
                if chunk == b"":
                    try:
                        self.sel.unregister(self.pppd_pipe)
                    except (KeyError, ValueError):
                        pass
                    self.pppd_pipe.close()
                    self.pppd_pipe = None
            return

    def _log_pppd_exit(self):
        if self.pppd_exit_logged or self.pppd is None or self.pppd.returncode is None:
            return
        self.pppd_exit_logged = True
        rc = self.pppd.returncode
        if rc < 0:
            self.log("EVENT", "pppd-exit pid=%d signal=%d" % (self.pppd.pid, -rc))
        else:
            self.log("EVENT", "pppd-exit pid=%d status=%d" % (self.pppd.pid, rc))

    def _check_pppd(self):
        if self.pppd is None or self.pppd.poll() is None:
            return
        if self.pppd_pidfd is not None:
            try:
                self.sel.unregister(self.pppd_pidfd)
            except (KeyError, ValueError):
                pass
            os.close(self.pppd_pidfd)
            self.pppd_pidfd = None
        self._read_pppd_output()
        self._log_pppd_exit()
        self.srv.unregister_pppd(self.pppd)
        self.pppd = None
        self._close_pty()                  # frames from the client are dropped from now on
        if self.state in (S_CONNECTED_PENDING, S_CONNECTED):
            # Normally the client's own pppd terminated LCP and its plugin is
            # about to send Call Disconnect; give it a moment before we do.
            self.timers["pppd-gone"] = time.monotonic() + self.args.pppd_exit_grace

    def _stop_pppd(self):
        p = self.pppd
        if p is not None:
            if p.poll() is None:
                # Hang up the pty first so pppd does not wait for LCP Terminate-Ack.
                self._close_pty()
                try:
                    p.send_signal(signal.SIGTERM)
                except ProcessLookupError:
                    pass
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.log("ERROR", "pppd pid=%d ignored SIGTERM for 5 s; sending SIGKILL" % p.pid)
                    p.kill()
                    p.wait()
            self._read_pppd_output(final=True)
            self._log_pppd_exit()
            self.srv.unregister_pppd(p)
        if self.pppd_pipe is not None:
            self.pppd_pipe.close()
            self.pppd_pipe = None
        if self.pppd_pidfd is not None:
            os.close(self.pppd_pidfd)
            self.pppd_pidfd = None

    def _close_pty(self):
        for attr in ("master", "slave"):
            fd = getattr(self, attr)
            if fd is not None:
                if self.sel is not None:
                    try:
                        self.sel.unregister(fd)
                    except (KeyError, ValueError):
                        pass
                os.close(fd)
                setattr(self, attr, None)

    # -- the end --
    def _teardown(self):
        reason = self.close_reason or "unknown"
        if self.tls is not None and not self.abrupt and not self.peer_gone \
                and reason != "tls-send-failed":
            # let already-queued control messages (Abort, Disconnect Ack...) out
            try:
                self.tls.settimeout(2)
                if self.tls_pending_chunk:
                    self.tls.sendall(self.tls_pending_chunk)
                if self.tls_out:
                    self.tls.sendall(bytes(self.tls_out))
            except (ssl.SSLError, OSError):
                pass
        self.tls_out.clear()
        self.tls_pending_chunk = None
        sock = self.tls or self.raw
        try:
            if self.abrupt:
                if self.rst:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                # no TLS close_notify: just drop the TCP connection
            elif self.tls is not None and not self.peer_gone:
                try:
                    self.tls.settimeout(0.5)
                    self.tls.unwrap()
                except (ssl.SSLError, OSError, ValueError):
                    pass
        finally:
            try:
                sock.close()
            except OSError:
                pass
            self.raw.close()
        self._stop_pppd()
        self._close_pty()
        if self.sel is not None:
            self.sel.close()
        if self.state is not None:
            self.log("EVENT", "call-summary state=%s call-connected=%s verdict=%s "
                     "data-before-call-connected=%d violations=%d frames-c2s=%d frames-s2c=%d "
                     "data-c2s=%d data-s2c=%d" % (
                         self.state, "yes" if self.call_connected else "no",
                         self.verdict or "none", self.data_before_cc, self.violations,
                         self.frames_c2s, self.frames_s2c, self.data_c2s, self.data_s2c))
        self.log("EVENT", "connection-closed reason=%s" % reason)


# ---------------------------------------------------------------------------
# The listening server
# ---------------------------------------------------------------------------

def first_pem_certificate(path):
    with open(path, "r", encoding="ascii", errors="replace") as f:
        text = f.read()
    m = re.search(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", text, re.S)
    if not m:
        raise ValueError("no certificate in %s" % path)
    return ssl.PEM_cert_to_DER_cert(m.group(0))


class Server:
    def __init__(self, args, log):
        self.args = args
        self.log = log
        self.shutdown = threading.Event()
        self.password = args.password
        self.hash_mask = {"sha256": HASH_SHA256, "sha1": HASH_SHA1,
                          "both": HASH_SHA1 | HASH_SHA256}[args.hash]
        self.cert_digests = self._digests(args.cert)
        self.sni_names = {}
        self.ctx = self._make_ctx(args.cert, args.key)
        self.fault_plan = [set(e.split("+")) - {"none", "-", ""}
                           for e in args.fault_plan.split(",")] if args.fault_plan else []
        for faults in self.fault_plan:
            unknown = [f for f in faults
                       if f not in FAULT_HELP and not re.fullmatch(r"http-\d{3}", f)]
            if unknown:
                raise ValueError("unknown fault(s) in --fault-plan: %s" % ", ".join(unknown))
            if "pppd-alt" in faults and not args.alt_pppd_options:
                raise ValueError("fault pppd-alt needs --alt-pppd-options")
        # The i-th connection uses the i-th certificate; the rest the default.
        self.cert_plan = []     # (context, digests of its leaf for the crypto binding)
        for e in args.cert_plan.split(",") if args.cert_plan else []:
            if e in ("", "-", "default"):
                self.cert_plan.append((self.ctx, self.cert_digests))
            else:
                cert, key = e.split(":", 1)
                self.cert_plan.append((self._make_ctx(cert, key, weak_ok=True),
                                       self._digests(cert)))
        self.pppds = set()
        self.lock = threading.Lock()
        self.threads = []

    def _make_ctx(self, cert, key, weak_ok=False):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        if self.args.tls_max == "1.2":
            ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        if weak_ok:
            # OpenSSL would refuse to serve a weak test certificate itself.
            ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        ctx.load_cert_chain(cert, key)
        if self.args.client_ca:
            # TLS client authentication, as MikroTik's verify-client-certificate.
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(self.args.client_ca)
        ctx.sni_callback = self._sni
        return ctx

    @staticmethod
    def _digests(cert):
        der = first_pem_certificate(cert)
        return {HASH_SHA1: hashlib.sha1(der).digest(), HASH_SHA256: hashlib.sha256(der).digest()}

    def ctx_for(self, conn_id):
        if conn_id <= len(self.cert_plan):
            return self.cert_plan[conn_id - 1][0]
        return self.ctx

    def digests_for(self, conn_id):
        if conn_id <= len(self.cert_plan):
            return self.cert_plan[conn_id - 1][1]
        return self.cert_digests

    def faults_for(self, conn_id):
        if conn_id <= len(self.fault_plan):
            return self.fault_plan[conn_id - 1]
        return set()

    def _sni(self, sslsock, name, ctx):
        self.sni_names[id(sslsock)] = name
        return None

    def register_pppd(self, p):
        with self.lock:
            self.pppds.add(p)

    def unregister_pppd(self, p):
        with self.lock:
            self.pppds.discard(p)

    def listen(self):
        a = self.args
        infos = socket.getaddrinfo(a.listen, a.port, socket.AF_UNSPEC, socket.SOCK_STREAM,
                                   0, socket.AI_PASSIVE)
        family, stype, proto, _, addr = infos[0]
        s = socket.socket(family, stype, proto)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(addr)
        s.listen(16)
        s.setblocking(False)
        self.sock = s
        self.log.line("-", "EVENT", "listening on %s port %d (hash mask 0x%02x)"
                      % (addr[0], addr[1], self.hash_mask))

    def serve(self):
        sel = selectors.DefaultSelector()
        sel.register(self.sock, selectors.EVENT_READ)
        calls = 0
        try:
            while not self.shutdown.is_set():
                if self.args.max_calls and calls >= self.args.max_calls:
                    break
                if not sel.select(0.5):
                    self._reap_threads()
                    continue
                try:
                    conn, peer = self.sock.accept()
                except (BlockingIOError, InterruptedError):
                    continue
                conn.setblocking(True)
                calls += 1
                c = Connection(self, calls, conn, peer)
                t = threading.Thread(target=c.run, name="conn-%d" % calls, daemon=True)
                t.conn = c
                t.start()
                self.threads.append(t)
        finally:
            sel.close()
            self.sock.close()
        if self.args.max_calls and calls >= self.args.max_calls and not self.shutdown.is_set():
            self.log.line("-", "EVENT", "max-calls %d reached: no longer accepting; waiting "
                          "for open calls" % self.args.max_calls)
        while any(t.is_alive() for t in self.threads):
            if self.shutdown.is_set():
                for t in self.threads:
                    t.conn.interrupt()
            for t in self.threads:
                t.join(0.2)
        self._kill_leftover_pppds()

    def _reap_threads(self):
        self.threads = [t for t in self.threads if t.is_alive()]

    def _kill_leftover_pppds(self):
        with self.lock:
            left = list(self.pppds)
        for p in left:
            if p.poll() is None:
                p.kill()
            p.wait()


def parse_args(argv):
    p = argparse.ArgumentParser(description="Strict SSTP test server for pppd-sstp system tests.")
    p.add_argument("--listen", default="127.0.0.1", help="address to listen on (IPv4 or IPv6)")
    p.add_argument("--port", type=int, default=443)
    p.add_argument("--cert", help="PEM certificate (chain); the first certificate is the leaf")
    p.add_argument("--key", help="PEM private key")
    p.add_argument("--pppd", default="/usr/sbin/pppd", help="pppd binary")
    p.add_argument("--pppd-options", metavar="FILE", help="options file for the server pppd")
    p.add_argument("--pppd-arg", action="append", default=[], metavar="ARG",
                   help="extra argument for the server pppd (repeatable)")
    p.add_argument("--eap-keys-file", metavar="FILE",
                   help="EAP-TLS: read the server pppd's MPPE receive key (hex) from FILE, "
                        "as tests/server/server-keys-plugin.c writes it")
    p.add_argument("--password", help="the client's password (to derive the MS-CHAPv2 HLAK)")
    p.add_argument("--password-file", help="read the password from this file (first line)")
    p.add_argument("--secrets-out", metavar="FILE",
                   help="append the secrets derived for each MS-CHAPv2 call (hex) to FILE, "
                        "for tests that check no client log contains them")
    p.add_argument("--hash", choices=("sha256", "sha1", "both"), default="both",
                   help="hash protocol bitmask offered in the Call Connect Ack")
    p.add_argument("--echo-interval", type=float, default=0,
                   help="send an SSTP Echo Request every S seconds after Call Connected")
    p.add_argument("--hello-timeout", type=float, default=60.0,
                   help="hello timer: echo after S idle seconds, drop after another S")
    p.add_argument("--negotiation-timeout", type=float, default=60.0,
                   help="wait at most S for Connect Request / Call Connected")
    p.add_argument("--disconnect-after", type=float, metavar="S",
                   help="send Call Disconnect S seconds after Call Connected")
    p.add_argument("--drop-after", type=float, metavar="S",
                   help="close TCP abruptly S seconds after Call Connected")
    p.add_argument("--drop-calls", type=int, metavar="N",
                   help="with --drop-after: drop only the first N connections (default: all)")
    p.add_argument("--drop-rst", action="store_true",
                   help="with --drop-after: reset the TCP connection instead of FIN")
    p.add_argument("--pppd-exit-grace", type=float, default=3.0,
                   help="after the server pppd ends, wait S for the client's Call Disconnect "
                        "before sending one")
    p.add_argument("--nak", type=int, default=0, metavar="N",
                   help="answer the first N Call Connect Requests of a connection with a NAK")
    p.add_argument("--fault-plan", metavar="F1,F2,...",
                   help="misbehave on purpose: the i-th connection gets fault Fi (several "
                        "joined with +; 'none' or '-' for none; later connections behave). "
                        "Faults: " + "; ".join("%s: %s" % kv for kv in FAULT_HELP.items())
                        + "; http-NNN: answer HTTP status NNN")
    p.add_argument("--fault-delay", type=float, default=1.0, metavar="S",
                   help="seconds after Call Connected for the *-connected faults")
    p.add_argument("--cert-plan", metavar="CERT:KEY,...",
                   help="the i-th connection presents the i-th certificate ('default': --cert)")
    p.add_argument("--alt-pppd-options", metavar="FILE",
                   help="options file for the server pppd on connections with fault pppd-alt")
    p.add_argument("--max-calls", type=int, default=0,
                   help="accept N connections, serve them, then exit (0 = unlimited)")
    p.add_argument("--http-status", type=int, help="answer this HTTP status instead of 200 "
                                                   "(after the request checks) and close")
    p.add_argument("--eap-nak-md5", action="store_true",
                   help="answer the server pppd's EAP MD5-Challenge with Nak(MSCHAPv2), "
                        "give its MSCHAPv2 Success the Response's MS-CHAPv2-ID and end "
                        "with EAP Success, so that EAP-MSCHAPv2 runs between two pppds")
    p.add_argument("--expect-host", help="also require this Host header value and TLS SNI name")
    p.add_argument("--client-ca", metavar="FILE",
                   help="require a TLS client certificate issued by a CA in this PEM file, "
                        "and log its subject")
    p.add_argument("--tls-max", choices=("1.2", "1.3"), default="1.3",
                   help="highest TLS version offered")
    p.add_argument("--log", help="log file (appended; default stderr)")
    p.add_argument("--pidfile", help="write our pid here once listening")
    p.add_argument("--self-test", action="store_true", help="run the built-in vectors and exit")
    args = p.parse_args(argv)
    if args.password_file:
        with open(args.password_file, encoding="utf-8") as f:
            args.password = f.readline().rstrip("\r\n")
    if not args.self_test and (not args.cert or not args.key):
        p.error("--cert and --key are required")
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.self_test:
        return 0 if self_test() else 1
    log = Logger(args.log)
    log.add_secret(args.password)
    try:
        server = Server(args, log)
        server.listen()
    except (OSError, ValueError, ssl.SSLError) as e:
        log.line("-", "ERROR", "startup failed: %s" % e)
        return 1

    def on_signal(signum, frame):
        log.line("-", "EVENT", "signal %d: shutting down" % signum)
        server.shutdown.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if args.pidfile:
        with open(args.pidfile + ".tmp", "w") as f:
            f.write("%d\n" % os.getpid())
        os.rename(args.pidfile + ".tmp", args.pidfile)   # appears complete or not at all
    try:
        server.serve()
    finally:
        if args.pidfile:
            try:
                os.unlink(args.pidfile)
            except OSError:
                pass
        log.line("-", "EVENT", "server exit")
    return 0


# ---------------------------------------------------------------------------
# Self-test: the doc's section 9 vectors
# ---------------------------------------------------------------------------

def _h(s):
    return bytes.fromhex(s.replace(" ", "").replace("\n", ""))


def self_test():
    results = []

    def check(name, got, want):
        ok = got == want
        results.append(ok)
        print("%s %s" % ("PASS" if ok else "FAIL", name))
        if not ok:
            print("    got  %s\n    want %s" % (
                hexs(got) if isinstance(got, (bytes, bytearray)) else got,
                hexs(want) if isinstance(want, (bytes, bytearray)) else want))

    # MD4, RFC 1320 appendix A.5
    for msg, digest in [
            (b"", "31d6cfe0d16ae931b73c59d7e0c089c0"),
            (b"a", "bde52cb31de33e46245e05fbdbd6fb24"),
            (b"abc", "a448017aaf21d8525fc10ae87aa6729d"),
            (b"message digest", "d9130a8164549fe818874806e1c7014b"),
            (b"abcdefghijklmnopqrstuvwxyz", "d79e1c308aa5bbcdeea8ed63df412da9"),
            (b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
             "043f8582f241db351ce627e153e7f0e4"),
            (b"1234567890" * 8, "e33b4ddc9c38f2199c3e7b164fcc0536")]:
        check("MD4(%r)" % msg[:16], md4(msg), _h(digest))

    # V1: MS-SSTP 4.7, SHA-256
    v1_ack = _h("10 01 00 30 00 02 00 01 00 04 00 28 00 00 00 02"
                "41 2B 48 9A EB D7 EC C7 D0 89 66 F2 6B E7 CD 72 B2 31 A0 E9 21 0D 7C 91 "
                "B3 08 86 2B 03 44 C4 35")
    v1_hlak = _h("2A 1B B4 0D 55 AB 0F 5E F3 2F 06 F2 B3 CC 73 C4 8F D3 FA C4 1D 7A 13 15 "
                 "A1 92 28 D9 02 4C A1 64")
    v1_msg = _h("10010070000400010003006800000002412b489aebd7ecc7d08966f26be7cd72b231a0e9210d"
                "7c91b308862b0344c435"
                "7993ef314c493dace9f02d60e7e61c84b6690aafe9d7aeea92cbbe8ad599422d"
                "52a68efd8cffbf52770b8f0fe8ec73716583af6d611eb6d179b3b20840985449")
    v1_nonce = v1_ack[16:48]
    check("V1 ack parses", parse_control(v1_ack)[1][0],
          (ATTR_CRYPTO_BINDING_REQ, b"\x00\x00\x00\x02" + v1_nonce))
    check("V1 CMK", compute_cmk(v1_hlak, HASH_SHA256),
          _h("EC F5 9A C9 FE 15 5C F0 A9 E7 D6 6A DC 1B 36 3C 1A D7 BA 91 A9 21 7F 0C EC 2A "
             "53 42 98 82 8D F6"))
    check("V1 Call Connected rebuilt", build_call_connected(
        HASH_SHA256, v1_nonce, v1_msg[48:80], v1_hlak), v1_msg)
    v1_digests = {HASH_SHA256: v1_msg[48:80], HASH_SHA1: bytes(20)}
    check("V1 verify OK", verify_call_connected(v1_msg, 0x02, v1_nonce, v1_digests, v1_hlak),
          (HASH_SHA256, []))
    check("V1 verify OK with mask 0x03", verify_call_connected(
        v1_msg, 0x03, v1_nonce, v1_digests, v1_hlak)[1], [])
    bad = verify_call_connected(v1_msg, 0x02, v1_nonce, v1_digests,
                                v1_hlak[16:] + v1_hlak[:16])[1]
    check("V1 swapped HLAK -> compound-mac mismatch", [f for f, _ in bad], ["compound-mac"])
    check("V1 swapped HLAK diagnosed", "hlak-halves-swapped" in bad[0][1], True)
    check("V1 wrong nonce", [f for f, _ in verify_call_connected(
        v1_msg, 0x02, bytes(32), v1_digests, v1_hlak)[1]], ["nonce"])
    check("V1 wrong cert", [f for f, _ in verify_call_connected(
        v1_msg, 0x02, v1_nonce, {HASH_SHA256: bytes(32), HASH_SHA1: bytes(20)},
        v1_hlak)[1]], ["cert-hash"])
    check("V1 SHA-256 not offered", [f for f, _ in verify_call_connected(
        v1_msg, 0x01, v1_nonce, v1_digests, v1_hlak)[1]], ["hash-protocol"])
    mangled = bytearray(v1_msg)
    mangled[15] = 0x03
    check("V1 hash byte 0x03 rejected", [f for f, _ in verify_call_connected(
        bytes(mangled), 0x03, v1_nonce, v1_digests, v1_hlak)[1]], ["hash-protocol"])
    check("V1 short message", [f for f, _ in verify_call_connected(
        v1_msg[:111], 0x02, v1_nonce, v1_digests, v1_hlak)[1]], ["length"])

    # V2: SHA-1 capture
    v2_hlak = _h("4B 31 28 F4 39 25 D9 00 6E EF B1 C4 E8 65 15 A1 D8 8E 56 BA B3 CA 2B DF 03 73 "
                 "B7 F5 A8 A1 3B 19")
    v2_nonce = _h("0F 1A 2D 58 D4 A3 E3 00 0F AD 3C E4 90 6E 07 B7 07 AA 9E 44 1C CE AC 5C BD 7B "
                  "2C C1 C9 D8 6C DF")
    v2_cert = _h("58 26 B6 29 BD A5 9B 8E 6F D8 DC D2 62 2F D3 4C 53 48 05 A5")
    v2_msg = _h("100100700004000100030068000000010f1a2d58d4a3e3000fad3ce4906e07b707aa9e441cce"
                "ac5cbd7b2cc1c9d86cdf"
                "5826b629bda59b8e6fd8dcd2622fd34c534805a5000000000000000000000000"
                "69915dd583d8062fef16f61db2f03290ec27cb6c000000000000000000000000")
    check("V2 CMK", compute_cmk(v2_hlak, HASH_SHA1),
          _h("A9 8B 86 2A 38 CC 7E 22 4B 42 CD 12 85 86 AC B2 2F 0B D1 E9"))
    check("V2 MAC", compute_compound_mac(compute_cmk(v2_hlak, HASH_SHA1), v2_msg, HASH_SHA1),
          _h("69 91 5D D5 83 D8 06 2F EF 16 F6 1D B2 F0 32 90 EC 27 CB 6C"))
    check("V2 Call Connected rebuilt", build_call_connected(HASH_SHA1, v2_nonce, v2_cert,
                                                            v2_hlak), v2_msg)
    v2_digests = {HASH_SHA1: v2_cert, HASH_SHA256: bytes(32)}
    check("V2 verify OK (mask 0x01)", verify_call_connected(
        v2_msg, 0x01, v2_nonce, v2_digests, v2_hlak), (HASH_SHA1, []))
    check("V2 SHA-1 chosen though SHA-256 offered", [f for f, _ in verify_call_connected(
        v2_msg, 0x03, v2_nonce, v2_digests, v2_hlak)[1]], ["hash-protocol"])
    mangled = bytearray(v2_msg)
    mangled[70] = 1
    check("V2 cert padding", [f for f, _ in verify_call_connected(
        bytes(mangled), 0x01, v2_nonce, v2_digests, v2_hlak)[1]],
        ["cert-hash-padding", "compound-mac"])
    mangled = bytearray(v2_msg)
    mangled[111] = 1
    check("V2 MAC padding", [f for f, _ in verify_call_connected(
        bytes(mangled), 0x01, v2_nonce, v2_digests, v2_hlak)[1]], ["mac-padding"])

    # V4: RFC 2759 / RFC 3079 sample credentials, end to end
    nt_resp = _h("82 30 9E CD 8D 70 8B 5E A0 8F AA 39 81 CD 83 54 42 33 11 4A 3D 85 D6 DF")
    pw_hash = nt_password_hash("clientPass")
    check("V4 PasswordHash", pw_hash, _h("44 EB BA 8D 53 12 B8 D6 11 47 44 11 F5 69 89 AE"))
    check("V4 PasswordHashHash", md4(pw_hash), _h("41 C0 0C 58 4B D2 D9 1C 40 17 A2 A1 2F A5 9F 3F"))
    master = mppe_master_key(md4(pw_hash), nt_resp)
    check("V4 MasterKey", master, _h("FD EC E3 71 7A 8C 83 8C B3 88 E5 27 AE 3C DD 31"))
    send, recv = mschapv2_client_keys("clientPass", nt_resp)
    check("V4 client MasterSendKey", send, _h("D5 F0 E9 52 1E 3E A9 58 96 45 E8 60 51 C8 22 26"))
    check("V4 client MasterReceiveKey", recv,
          _h("8B 7C DC 14 9B 99 3A 1B A1 18 CB 15 3F 56 DC CB"))
    v4_hlak = mschapv2_hlak("clientPass", nt_resp)
    check("V4 HLAK", v4_hlak, _h("D5 F0 E9 52 1E 3E A9 58 96 45 E8 60 51 C8 22 26 "
                                 "8B 7C DC 14 9B 99 3A 1B A1 18 CB 15 3F 56 DC CB"))
    check("V4 CMK SHA-1", compute_cmk(v4_hlak, HASH_SHA1),
          _h("3A FB FF 0B A7 9D D9 74 3B D0 99 49 FA 99 F9 D0 C9 2D 36 98"))
    check("V4 CMK SHA-256", compute_cmk(v4_hlak, HASH_SHA256),
          _h("15 07 07 E6 82 B1 6F 4C A9 43 05 60 C5 62 89 4A FD 10 05 0D B4 18 2D 35 C3 E9 "
             "E0 62 84 44 52 71"))
    check("V4 MAC (V1 fields, SHA-256)",
          compute_compound_mac(compute_cmk(v4_hlak, HASH_SHA256), v1_msg, HASH_SHA256),
          _h("FC 0F 8E 27 2D D2 3C 80 52 6C 2A 27 11 58 A1 21 95 EB 2D F5 97 80 B1 7E 6E F6 "
             "41 BA 0F E6 99 D0"))
    check("V4 MAC (V2 fields, SHA-1)",
          compute_compound_mac(compute_cmk(v4_hlak, HASH_SHA1), v2_msg, HASH_SHA1)[:20],
          _h("FF 9D 1B 06 5C BA C8 E7 A7 1A D8 5C AD 75 EE E5 B1 48 90 C9"))
    v4_msg = build_call_connected(HASH_SHA256, v1_nonce, v1_msg[48:80], v4_hlak)
    check("V4 verify through the snooper", _snoop_verify_selftest(nt_resp, v4_msg, v1_nonce,
                                                                  v1_digests), [])

    # V5: all-zero HLAK
    check("V5 CMK SHA-1", compute_cmk(ZERO_HLAK, HASH_SHA1),
          _h("AE 57 1E DE 1E 11 EF B7 BB 85 B8 B4 F0 7E 15 F0 E0 86 76 1A"))
    check("V5 CMK SHA-256", compute_cmk(ZERO_HLAK, HASH_SHA256),
          _h("D3 42 EB 00 47 7D 6A 37 E1 A1 84 FB 01 68 CB 3E A3 B6 64 5F A0 F2 27 90 4D 20 "
             "EE F5 CB 8F 93 27"))
    check("V5 MAC (V1 fields, SHA-256)",
          compute_compound_mac(compute_cmk(ZERO_HLAK, HASH_SHA256), v1_msg, HASH_SHA256),
          _h("37 35 0A 91 68 E4 69 74 95 F2 F5 35 72 1A F4 2B E8 0A 18 5D 6D C4 C4 DC 92 9F "
             "8F 87 E3 04 A6 16"))
    check("V5 MAC (V2 fields, SHA-1)",
          compute_compound_mac(compute_cmk(ZERO_HLAK, HASH_SHA1), v2_msg, HASH_SHA1)[:20],
          _h("9A 11 1C 75 6B 84 D9 50 02 C9 37 25 56 C1 81 E0 E5 36 0D A7"))

    # V6: HDLC / FCS
    check("V6 CRC-16/X-25('123456789')", fcs16(b"123456789") ^ 0xFFFF, 0x906E)
    rnd = os.urandom(3000)
    check("FCS fast path == reference", fcs16(rnd), fcs16_reference(rnd))
    frame = _h("FF 03 C0 21 01 01 00 0E 01 04 05 DC 05 06 12 34 56 78")
    check("V6 FCS", fcs16(frame) ^ 0xFFFF, 0x4E6E)
    check("V6 FCS residue", fcs16(frame + b"\x6e\x4e"), FCS_GOOD)
    wire_all = _h("7E FF 7D 23 C0 21 7D 21 7D 21 7D 20 7D 2E 7D 21 7D 24 7D 25 DC 7D 25 7D 26 "
                  "7D 32 34 56 78 6E 4E 7E")
    wire_none = _h("7E FF 03 C0 21 01 01 00 0E 01 04 05 DC 05 06 12 34 56 78 6E 4E 7E")
    check("V6 HDLC encode (escape all)", hdlc_encode(frame), wire_all)
    check("V6 HDLC decode (ACCM ffffffff)", HdlcDecoder().feed(wire_all), [frame])
    check("V6 HDLC decode (ACCM 0)", HdlcDecoder().feed(wire_none), [frame])
    d = HdlcDecoder()
    got = []
    stream = b"garbage" + wire_all + wire_none[1:] + b"\x7e\x7e" + wire_all
    for i in range(0, len(stream), 5):          # split across reads
        got += d.feed(stream[i:i + 5])
    check("HDLC decode split stream", got, [frame] * 3)
    d = HdlcDecoder()
    bad_fcs = bytearray(wire_none)
    bad_fcs[-2] ^= 1
    check("HDLC bad FCS dropped", (d.feed(bytes(bad_fcs)), d.bad_fcs), ([], 1))
    d = HdlcDecoder()
    check("HDLC 7D 7E abort dropped", (d.feed(wire_none[:-3] + b"\x7d\x7e"), d.aborted), ([], 1))
    check("HDLC escaped 7D/7E", HdlcDecoder().feed(hdlc_encode(b"\xff\x03\x00\x21\x7d\x7e\x00")),
          [b"\xff\x03\x00\x21\x7d\x7e\x00"])
    check("V6 SSTP data packet", sstp_data(normalise_ppp_frame(frame)[0]),
          _h("10 00 00 16 FF 03 C0 21 01 01 00 0E 01 04 05 DC 05 06 12 34 56 78"))
    check("normalise ACFC+PFC", normalise_ppp_frame(b"\x21\x45\x00"),
          (b"\xff\x03\x00\x21\x45\x00", 0x0021))
    check("normalise ACFC only", normalise_ppp_frame(b"\xc0\x21\x01"),
          (b"\xff\x03\xc0\x21\x01", 0xC021))

    # Message builders against the doc's byte-exact messages (2.6)
    check("Call Disconnect bytes", sstp_control(MSG_CALL_DISCONNECT, [
        sstp_status_info(ATTR_NO_ERROR, STATUS_NO_ERROR)]),
        _h("10 01 00 14 00 06 00 01 00 02 00 0C 00 00 00 00 00 00 00 00"))
    check("Echo Request bytes", sstp_control(MSG_ECHO_REQUEST), _h("10 01 00 08 00 08 00 00"))
    check("Echo Response bytes", sstp_control(MSG_ECHO_RESPONSE), _h("10 01 00 08 00 09 00 00"))
    check("Disconnect Ack bytes", sstp_control(MSG_CALL_DISCONNECT_ACK),
          _h("10 01 00 08 00 07 00 00"))
    check("Connect Ack layout", sstp_control(MSG_CALL_CONNECT_ACK, [sstp_attr(
        ATTR_CRYPTO_BINDING_REQ, b"\x00\x00\x00\x02" + v1_nonce)]), v1_ack)
    check("Connect Request parses", parse_control(CALL_CONNECT_REQUEST_BYTES),
          (MSG_CALL_CONNECT_REQUEST, [(ATTR_ENCAPSULATED_PROTOCOL_ID, b"\x00\x01")], None))
    check("attribute count mismatch detected",
          parse_control(_h("10 01 00 0E 00 01 00 02 00 01 00 06 00 01"))[2] is not None, True)

    passed = sum(results)
    failed = len(results) - passed
    print("%d passed, %d failed" % (passed, failed))
    return failed == 0


def _snoop_verify_selftest(nt_resp, msg, nonce, digests):
    """Drive PppSnoop with an MS-CHAPv2 exchange and verify msg through it."""
    s = PppSnoop(lambda kind, text: None)
    lcp_ack = struct.pack("!BBH", 2, 1, 4 + 5) + b"\x03\x05\xc2\x23\x81"
    s.observe("c>s", PPP_LCP, lcp_ack)
    value = bytes(16) + bytes(8) + nt_resp + b"\x00"
    resp = struct.pack("!BBHB", 2, 7, 4 + 1 + 49 + 4, 49) + value + b"User"
    s.observe("c>s", PPP_CHAP, resp)
    s.observe("s>c", PPP_CHAP, struct.pack("!BBH", 3, 7, 4))
    hlak, kind, problem = s.expected_hlak("clientPass")
    if problem or kind != "mschapv2":
        return [problem or kind]
    return verify_call_connected(msg, 0x03, nonce, digests, hlak)[1]


if __name__ == "__main__":
    sys.exit(main())
