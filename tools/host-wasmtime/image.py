"""Reads a quark image: its custom sections, the ABI constants and the modules.

An image is the kernel module with everything else in custom sections
(docs/machine-abi.md, "The image"). Engines skip custom sections, so this file
walks them itself: a Wasm module is a magic, a version, then sections of
(id: u8, size: LEB128 u32, payload); a custom section (id 0) starts its
payload with a name (LEB128 length + UTF-8).
"""

import hashlib
import json

WASM_MAGIC = b"\0asm"
WASM_VERSION = b"\1\0\0\0"
SUPPORTED_ABI = 1
# The constants this host reads; an image lacking one is refused at load, not mid-run.
REQUIRED = (
    "ENTRY_START ENTRY_HANDLE ENTRY_NOTIFY ENTRY_COUNT INVOKE_TRAPPED INVOKE_NOENTRY "
    "RUN_IDLE RUN_BUSY RUN_HALT BOOT_UNTIL_READY BOOT_QUIET PID_KERNEL MAX_PROCS "
    "OK E_ARG E_CRASHED E_FAULT E_LINK E_NOMODULE E_NOSPACE E_QFULL ENTRY_SAVE SPAWN_STAGE SPAWN_SWAP SPAWN_DISCARD"
).split()


class ImageError(Exception):
    """The file is not a usable quark image; the message says why."""


def _leb_u32(data, at):
    value = shift = 0
    while True:
        if at >= len(data) or shift > 28:
            raise ImageError("truncated or malformed LEB128 number at byte %d" % at)
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at
        shift += 7


def custom_sections(data):
    """Every custom section of a module, name -> payload bytes (the first of each name)."""
    if data[:4] != WASM_MAGIC or data[4:8] != WASM_VERSION:
        raise ImageError("not a WebAssembly module (bad magic or version)")
    sections = {}
    at = 8
    while at < len(data):
        kind = data[at]
        size, start = _leb_u32(data, at + 1)
        end = start + size
        if end > len(data):
            raise ImageError("section at byte %d runs past the end of the file" % at)
        if kind == 0:
            name_len, name_at = _leb_u32(data, start)
            if name_at + name_len > end:
                raise ImageError("custom section name at byte %d is truncated" % at)
            name = data[name_at : name_at + name_len].decode("utf-8", "replace")
            sections.setdefault(name, data[name_at + name_len : end])
        at = end
    return sections


def _json(sections, name):
    if name not in sections:
        raise ImageError("missing section %s" % name)
    try:
        return json.loads(sections[name].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise ImageError("section %s is not valid JSON: %s" % (name, e))


def _module_bytes(sections, entry, index):
    if not isinstance(entry.get("name"), str):
        raise ImageError("quark.modules entry %d has no name" % index)
    section = "quark.mod." + entry["name"]
    if section not in sections:
        raise ImageError("missing section %s" % section)
    body = bytes(sections[section])
    if "size" in entry and entry["size"] != len(body):
        raise ImageError("%s holds %d bytes, quark.modules says %d" % (section, len(body), entry["size"]))
    if "sha256" in entry and hashlib.sha256(body).hexdigest() != entry["sha256"]:
        raise ImageError("%s does not match its sha256 in quark.modules" % section)
    return body


class Image:
    """The parts of an image a host needs: abi constants, module list and bytes, boot table."""

    def __init__(self, data):
        self.kernel = data
        sections = custom_sections(data)
        self.abi = _json(sections, "quark.abi")
        if not isinstance(self.abi, dict):
            raise ImageError("section quark.abi is not a JSON object")
        version = self.abi.get("ABI_VERSION")
        if version != SUPPORTED_ABI:
            raise ImageError(
                "image has ABI_VERSION %s; this host supports ABI_VERSION %d" % (version, SUPPORTED_ABI)
            )
        missing = [name for name in REQUIRED if not isinstance(self.abi.get(name), int)]
        if missing:
            raise ImageError("quark.abi lacks %s" % ", ".join(missing))
        entries = _json(sections, "quark.modules")
        if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
            raise ImageError("section quark.modules is not a non-empty JSON array of objects")
        if entries[0].get("kind") != "hal":
            raise ImageError("module 0 in quark.modules is not the HAL")
        self.modules = entries
        self.module_bytes = [_module_bytes(sections, e, i) for i, e in enumerate(entries)]
        if "quark.boot" not in sections:
            raise ImageError("missing section quark.boot")
        self.boot_table = bytes(sections["quark.boot"])

    def const(self, name):
        """An ABI constant as a signed 32-bit value (the JSON may carry 1 << 31 either way)."""
        return ((int(self.abi[name]) + 2**31) % 2**32) - 2**31

    def error_name(self, code):
        names = [k for k, v in self.abi.items() if k.startswith("E_") and k != "E_LAST" and v == code]
        return names[0] if names else str(code)


def load(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise ImageError("cannot read %s: %s" % (path, e.strerror))
    return Image(data)
