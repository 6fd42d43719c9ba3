"""The hot host functions (host.invoke, host.copy, host.now), native or in Python.

Both trampolines keep a process table by pid: the resolved entry functions
and the memory of each process, pid PID_KERNEL being the kernel's memory.
The native one lives in libquarkshim.so (shim.c) and is reached here only to
fill that table after a spawn or kill; the engine then calls it directly.
The Python one is the fallback where no C compiler built the shim.
"""

import ctypes
import os
import shutil
import sys
import time
from importlib import metadata

import wasmtime
from wasmtime import _ffi as ffi

WHEEL_VERSION = "49.0.0"
ENTRY_EXPORTS = {"ENTRY_START": "quark_start", "ENTRY_HANDLE": "quark_handle", "ENTRY_NOTIFY": "quark_notify"}


class ShimUnavailable(Exception):
    """The native shim cannot be used; the message says why."""


def _types():
    i32, f64 = wasmtime.ValType.i32(), wasmtime.ValType.f64()
    return {
        "invoke": wasmtime.FuncType([i32] * 4, [i32]),
        "copy": wasmtime.FuncType([i32] * 5, [i32]),
        "now": wasmtime.FuncType([], [f64]),
    }


def root_cause(err):
    """The last line of the engine's message: the lines above it are a backtrace."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    return lines[-1] if lines else type(err).__name__


class NativeTrampoline:
    """host.invoke/copy/now as C functions; Python only updates the table."""

    def __init__(self, path, image, verbose):
        self._lib = _open(path)
        lib = self._lib
        if lib.quark_shim_configure(
            image.const("MAX_PROCS"), image.const("ENTRY_COUNT"), image.const("INVOKE_TRAPPED"),
            image.const("INVOKE_NOENTRY"), image.const("OK"), image.const("E_FAULT"), int(verbose),
        ) != 0:
            raise ShimUnavailable("the shim cannot hold ENTRY_COUNT=%d entries" % image.const("ENTRY_COUNT"))
        self._types = _types()

    def host_funcs(self, store):
        out = (ffi.wasmtime_func_t * 3)()
        t = self._types
        self._lib.quark_shim_funcs(store._context(), t["invoke"].ptr(), t["copy"].ptr(), t["now"].ptr(), out)
        return {name: wasmtime.Func._from_raw(out[i]) for i, name in enumerate(("invoke", "copy", "now"))}

    def register(self, pid, entries, memory):
        self._lib.quark_shim_clear(pid)
        for entry, func in entries.items():
            self._lib.quark_shim_set_entry(pid, entry, ctypes.byref(func._func))
        if memory is not None:
            self._lib.quark_shim_set_memory(pid, ctypes.byref(memory._memory))

    def clear(self, pid):
        self._lib.quark_shim_clear(pid)

    def now(self):
        return self._lib.quark_shim_now()


def _open(path):
    if not os.path.exists(path):
        if not shutil.which(os.environ.get("CC", "cc")):
            raise ShimUnavailable("no C compiler found")
        raise ShimUnavailable("%s is not built (run `quark setup wasmtime`)" % path)
    try:
        version = metadata.version("wasmtime")
    except metadata.PackageNotFoundError:
        version = "unknown"
    if version != WHEEL_VERSION:
        raise ShimUnavailable("the shim is written for wasmtime %s, found %s" % (WHEEL_VERSION, version))
    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        raise ShimUnavailable("cannot load %s: %s" % (path, e))
    lib.quark_shim_configure.restype = ctypes.c_int
    lib.quark_shim_configure.argtypes = [ctypes.c_uint32] * 2 + [ctypes.c_int32] * 5
    lib.quark_shim_funcs.restype = None
    lib.quark_shim_funcs.argtypes = [ctypes.c_void_p] * 5
    lib.quark_shim_clear.argtypes = [ctypes.c_uint32]
    lib.quark_shim_set_entry.argtypes = [ctypes.c_uint32, ctypes.c_uint32, ctypes.c_void_p]
    lib.quark_shim_set_memory.argtypes = [ctypes.c_uint32, ctypes.c_void_p]
    lib.quark_shim_now.restype = ctypes.c_double
    lib.quark_shim_now.argtypes = []
    _check_layouts(lib)
    return lib


def _check_layouts(lib):
    sizes = (ctypes.c_size_t * 3)()
    lib.quark_shim_sizes(sizes)
    want = [ctypes.sizeof(t) for t in (ffi.wasmtime_func_t, ffi.wasmtime_memory_t, ffi.wasmtime_val_raw_t)]
    if list(sizes) != want:
        raise ShimUnavailable("struct sizes in the shim %s differ from the wheel's %s" % (list(sizes), want))


class PythonTrampoline:
    """The same three functions as Python callbacks: correct, but ~tens of µs per call."""

    def __init__(self, image, verbose):
        self._trapped = image.const("INVOKE_TRAPPED")
        self._noentry = image.const("INVOKE_NOENTRY")
        self._ok = image.const("OK")
        self._fault = image.const("E_FAULT")
        self._verbose = verbose
        self._procs = {}
        self._epoch = time.monotonic_ns()
        self._store = None

    def host_funcs(self, store):
        self._store = store
        t = _types()
        return {
            "invoke": wasmtime.Func(store, t["invoke"], self._invoke),
            "copy": wasmtime.Func(store, t["copy"], self._copy),
            "now": wasmtime.Func(store, t["now"], self.now),
        }

    def register(self, pid, entries, memory):
        self._procs[pid] = (entries, memory)

    def clear(self, pid):
        self._procs.pop(pid, None)

    def now(self):
        return float(time.monotonic_ns() - self._epoch)

    def _invoke(self, pid, entry, a0, a1):
        func = self._procs.get(pid, ({}, None))[0].get(entry)
        if func is None:
            return self._noentry
        try:
            return func(self._store, a0, a1)
        except (wasmtime.Trap, wasmtime.WasmtimeError) as e:
            if self._verbose:
                print("quark: pid %d trapped: %s" % (pid, root_cause(e)), file=sys.stderr)
            return self._trapped

    def _range(self, pid, at, length):
        memory = self._procs.get(pid, ({}, None))[1]
        if memory is None or at + length > memory.data_len(self._store):
            return None
        base = ctypes.cast(memory.data_ptr(self._store), ctypes.c_void_p).value or 0
        return base + at

    def _copy(self, src_pid, src, dst_pid, dst, length):
        u = 0xFFFFFFFF
        src_at = self._range(src_pid, src & u, length & u)
        dst_at = self._range(dst_pid, dst & u, length & u)
        if src_at is None or dst_at is None:
            return self._fault
        ctypes.memmove(dst_at, src_at, length & u)
        return self._ok


def trampoline(shim_path, force_python, image, verbose):
    """The native trampoline if usable, else the Python one and the reason for it."""
    if force_python:
        return PythonTrampoline(image, verbose), "--python-trampoline given"
    try:
        return NativeTrampoline(shim_path, image, verbose), None
    except ShimUnavailable as e:
        return PythonTrampoline(image, verbose), str(e)


def entry_numbers(image):
    """Entry number -> export name, numbers from the image's ABI."""
    return {image.const(k): v for k, v in ENTRY_EXPORTS.items()}
