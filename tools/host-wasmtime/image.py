"""Reads and checks a quark image: this mirrors tools/lib/image-check.ts.

The same checks in the same order, with the same messages and codes, so a
bad image is refused identically however the host is started (through
`quark boot`, which runs the TypeScript check first, or as host.py directly,
and on a hot reload). tests/e2e/bad-images.test.ts holds the two together.

An image is the kernel module with everything else in custom sections
(docs/machine-abi.md, "The image"). Engines skip custom sections, so this file
walks them itself: a Wasm module is a magic, a version, then sections of
(id: u8, size: LEB128 u32, payload); a custom section (id 0) starts its
payload with a name (LEB128 length + UTF-8). Nothing here compiles.
"""

import ast
import errno
import hashlib
import json
import os
import re
from pathlib import Path

ABI_TS = Path(__file__).resolve().parents[2] / "kernel" / "abi.ts"

SECTION_PREFIX = "quark."
SECTION_ABI = "quark.abi"
SECTION_MODULES = "quark.modules"
SECTION_MODULE_PREFIX = "quark.mod."
SECTION_MANIFEST = "quark.manifest"
SECTION_BOOT = "quark.boot"

REBUILD = "rebuild the image with this checkout's `quark build`"
DAMAGED = "the image is damaged; " + REBUILD
NOT_IMAGE = "give the .wasm file that `quark build` wrote"

MAGIC = b"\0asm"
HEADER = 8
MAX_SAFE = 2**53 - 1
CONSTANT_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
MODULE_NAME = re.compile(r"[a-z][a-z0-9-]{0,31}")
SHA256 = re.compile(r"[0-9a-f]{64}")


class ImageError(Exception):
    """The file is not a usable quark image: `code` says why for tests, the message for people."""

    def __init__(self, file, code=None, what=None):
        if what is None:  # a message alone: machine.py could not set the image up; host.py adds the file
            file, code, what = None, "host", file
        super().__init__(what if file is None else "%s: %s" % (file, what))
        self.file, self.code = file, code


# ---------------------------------------------------------------- this checkout's ABI
# kernel/abi.ts is plain `export const NAME = <integer expression>;`, evaluated
# here with JavaScript's rules: the bitwise operators give signed 32-bit results.

def _int32(v):
    return ((v + 2**31) % 2**32) - 2**31


_BITWISE = {ast.LShift: lambda a, b: a << (b & 31), ast.RShift: lambda a, b: a >> (b & 31),
            ast.BitOr: lambda a, b: a | b, ast.BitAnd: lambda a, b: a & b, ast.BitXor: lambda a, b: a ^ b}
_ARITH = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b}


def _eval(node, known):
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.Name) and node.id in known:
        return known[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_eval(node.operand, known)
    if isinstance(node, ast.BinOp) and type(node.op) in _BITWISE:
        return _int32(_BITWISE[type(node.op)](_int32(_eval(node.left, known)), _int32(_eval(node.right, known))))
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
        return _ARITH[type(node.op)](_eval(node.left, known), _eval(node.right, known))
    raise ValueError("unsupported expression")


def checkout_abi(path=ABI_TS):
    """Every constant of this checkout's kernel/abi.ts, as tools/lib/image-check.ts's abiConstants()."""
    known = {}
    text = path.read_text()
    for m in re.finditer(r"^export const ([A-Z][A-Z0-9_]*)(?:\s*:\s*\w+)?\s*=\s*([^;]+);", text, re.M):
        known[m.group(1)] = _eval(ast.parse(m.group(2).strip(), mode="eval").body, known)
    # kernel/abi.ts re-exports the boot-table and HAL constants (`export * from "./abi-boot";`).
    for m in re.finditer(r'^export \* from "\./([\w-]+)";', text, re.M):
        known.update(checkout_abi(path.with_name(m.group(1) + ".ts")))
    return known


# ---------------------------------------------------------------- the file

_FILE_ERRORS = {
    errno.ENOENT: ("missing-file", "cannot read: no such file; build the image with `quark build MANIFEST.toml`"),
    errno.EISDIR: ("directory", "cannot read: it is a directory; " + NOT_IMAGE),
    errno.EACCES: ("unreadable", "cannot read: permission denied"),
}


def read_bytes(path):
    try:
        if os.path.isdir(path):
            raise IsADirectoryError(errno.EISDIR, "directory")
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        code, what = _FILE_ERRORS.get(e.errno, ("unreadable", "cannot read (%s)" % errno.errorcode.get(e.errno, "EIO")))
        raise ImageError(path, code, what)


def compile_error(file, name, engine_message):
    lines = [line.strip() for line in str(engine_message).splitlines() if line.strip()]
    return ImageError(file, "compile", "module %s does not compile: %s" % (name, lines[-1] if lines else "no reason given"))


# ---------------------------------------------------------------- the walk

class _Check:
    def __init__(self, data, file, expected):
        self.b, self.file, self.expected = data, file, expected

    def fail(self, code, what):
        raise ImageError(self.file, code, what)

    def header(self):
        b = self.b
        if not b:
            self.fail("empty", "the file is empty; " + NOT_IMAGE)
        if b[:4] != MAGIC[: len(b)]:
            self.fail("not-wasm", "not a WebAssembly module (it does not start with \\0asm); " + NOT_IMAGE)
        if len(b) < HEADER:
            self.fail("truncated", "truncated: the file ends inside the WebAssembly header; " + DAMAGED)
        version = int.from_bytes(b[4:8], "little")
        if version != 1:
            self.fail("wasm-version", "WebAssembly binary version %d, not 1; %s" % (version, NOT_IMAGE))

    def leb(self, at, limit, where):
        """(value, next) of an unsigned LEB128 of at most 32 bits, or None if it runs past `limit`."""
        value = 0
        for i in range(5):
            if at + i >= limit:
                return None
            byte = self.b[at + i]
            if i == 4 and byte > 0x0F:
                self.fail("malformed", "malformed section header at byte %d; %s" % (where, DAMAGED))
            value |= (byte & 0x7F) << (7 * i)
            if byte < 0x80:
                return value, at + i + 1
        self.fail("malformed", "malformed section header at byte %d; %s" % (where, DAMAGED))

    def sections(self):
        b, found, at = self.b, {}, HEADER
        while at < len(b):
            size = self.leb(at + 1, len(b), at)
            if size is None:
                self.fail("truncated", "truncated: the file ends inside the section header at byte %d; %s" % (at, DAMAGED))
            length, start = size
            end = start + length
            if end > len(b):
                self.fail("truncated", "truncated: the section at byte %d needs %d bytes, the file has %d; %s"
                          % (at, length, len(b) - start, DAMAGED))
            if b[at] == 0:
                self.custom(at, start, end, found)
            at = end
        return found

    def custom(self, at, start, end, found):
        bad = "the custom section at byte %d has a malformed name; %s" % (at, DAMAGED)
        n = self.leb(start, end, at)
        if n is None or n[1] + n[0] > end:
            self.fail("malformed", bad)
        length, name_at = n
        raw = self.b[name_at : name_at + length]
        if not raw.startswith(SECTION_PREFIX.encode()):
            return
        try:
            name = raw.decode("utf-8")
        except UnicodeDecodeError:
            self.fail("malformed", bad)
        if name in found:
            self.fail("duplicate-section", "section %s appears twice; %s" % (_shown(name), REBUILD))
        found[name] = self.b[name_at + length : end]

    # ------------------------------------------------------------ the sections
    def required(self, s, name):
        if name not in s:
            self.fail("missing-section", "missing section %s: not a quark image, or a damaged one; %s" % (name, REBUILD))
        return s[name]

    def json(self, data, name):
        try:
            return json.loads(bytes(data).decode("utf-8"), parse_constant=_no_constant, parse_int=_parse_int)
        except (UnicodeDecodeError, ValueError, RecursionError):
            self.fail("bad-json", "section %s is not UTF-8 JSON; %s" % (name, DAMAGED))

    def abi(self, value):
        def fmt(why):
            self.fail("abi-format", "section %s %s; %s" % (SECTION_ABI, why, DAMAGED))
        if not isinstance(value, dict):
            fmt("is not a JSON object")
        # Keys first: JavaScript lists integer-like keys before the others, Python in file order.
        if not all(CONSTANT_NAME.fullmatch(k) for k in value):
            fmt("has a key that is not a constant name")
        table = {}
        for k, v in value.items():
            if _safe_int(v) is None:
                fmt("gives %s a value that is not an integer" % k)
            table[k] = _safe_int(v)
        expected = self.expected
        if "ABI_VERSION" not in table:
            fmt("has no ABI_VERSION")
        if table["ABI_VERSION"] != expected["ABI_VERSION"]:
            self.fail("abi-version", "built for ABI_VERSION %d, this host speaks ABI_VERSION %d; %s"
                      % (table["ABI_VERSION"], expected["ABI_VERSION"], REBUILD))
        for k in sorted(set(table) | set(expected)):
            if table.get(k) == expected.get(k):
                continue
            if k not in expected:
                what = "is %d in the image and absent from this checkout's kernel/abi.ts" % table[k]
            elif k not in table:
                what = "is missing from the image (this checkout's kernel/abi.ts has %d)" % expected[k]
            else:
                what = "is %d in the image but %d in this checkout's kernel/abi.ts" % (table[k], expected[k])
            self.fail("abi-constant", "ABI constant %s %s; %s" % (k, what, REBUILD))
        return table

    def entries(self, value):
        def fmt(why):
            self.fail("modules-format", "section %s %s; %s" % (SECTION_MODULES, why, DAMAGED))
        if not isinstance(value, list) or not value:
            fmt("is not a non-empty JSON array")
        seen = set()
        for i, e in enumerate(value):
            if not _is_entry(e):
                fmt("entry %d lacks a valid name, kind (hal or service), size or sha256" % i)
            if e["name"] in seen:
                fmt("lists module %s twice" % e["name"])
            seen.add(e["name"])
            if (i == 0) != (e["kind"] == "hal"):
                self.fail("hal-first", "module 0 is %s, not the HAL; %s" % (e["name"], DAMAGED) if i == 0
                          else "module %d (%s) is a HAL; only module 0 may be; %s" % (i, e["name"], DAMAGED))
        return value

    def module(self, s, e):
        body = bytes(self.required(s, SECTION_MODULE_PREFIX + e["name"]))
        size = _safe_int(e["size"])
        if len(body) != size:
            self.fail("module-size", "module %s is %d bytes, but %s says %d; %s"
                      % (e["name"], len(body), SECTION_MODULES, size, DAMAGED))
        if hashlib.sha256(body).hexdigest() != e["sha256"]:
            self.fail("module-sha256", "module %s does not match its sha256 in %s; %s" % (e["name"], SECTION_MODULES, DAMAGED))
        return body

    def stray(self, s, entries):
        listed = {SECTION_MODULE_PREFIX + e["name"] for e in entries}
        for k in s:  # file order, as image-check.ts
            if k.startswith(SECTION_MODULE_PREFIX) and k not in listed:
                self.fail("stray-module", "section %s names no module of %s; %s" % (_shown(k), SECTION_MODULES, DAMAGED))


def _shown(name):
    return "".join(c if "!" <= c <= "~" else "?" for c in name)


def _no_constant(name):
    raise ValueError(name)  # NaN and Infinity are not JSON (JSON.parse refuses them)


def _parse_int(text):
    # Beyond 16 digits no integer is safe; as a float it is refused the way JavaScript refuses it.
    return int(text) if len(text.lstrip("-")) <= 16 else float(text)


def _safe_int(v):
    """v as an int if JavaScript's Number.isSafeInteger holds for it, else None."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    if isinstance(v, float) and not v.is_integer():
        return None
    return int(v) if abs(v) <= MAX_SAFE else None


def _is_entry(e):
    return (isinstance(e, dict) and isinstance(e.get("name"), str) and MODULE_NAME.fullmatch(e["name"]) is not None
            and e.get("kind") in ("hal", "service") and _safe_int(e.get("size")) is not None and e["size"] >= 0
            and isinstance(e.get("sha256"), str) and SHA256.fullmatch(e["sha256"]) is not None)


class Image:
    """The parts of a checked image a host needs: abi constants, module list and bytes, boot table."""

    def __init__(self, data, file="image", expected=None):
        check = _Check(data, file, expected if expected is not None else checkout_abi())
        check.header()
        s = check.sections()
        self.kernel = data
        self.abi = check.abi(check.json(check.required(s, SECTION_ABI), SECTION_ABI))
        self.modules = check.entries(check.json(check.required(s, SECTION_MODULES), SECTION_MODULES))
        self.module_bytes = [check.module(s, e) for e in self.modules]
        check.stray(s, self.modules)
        self.boot_table = bytes(check.required(s, SECTION_BOOT))  # its contents are the kernel's to judge
        if SECTION_MANIFEST in s:
            check.json(s[SECTION_MANIFEST], SECTION_MANIFEST)

    def const(self, name):
        """An ABI constant as a signed 32-bit value (the JSON may carry 1 << 31 either way)."""
        return _int32(int(self.abi[name]))

    def error_name(self, code):
        names = [k for k, v in self.abi.items() if k.startswith("E_") and k != "E_LAST" and v == code]
        return names[0] if names else str(code)


def load(path, expected=None):
    return Image(read_bytes(path), path, expected)
