"""The host functions the kernel calls while services run, native or in Python.

host.invoke, host.copy and host.now are on every message; host.spawn and
host.kill on every start and restart of a service. Both trampolines keep a
process table by pid (the entry functions and the memory of each process,
pid PID_KERNEL being the kernel's memory) and instantiate services from the
InstancePre that machine.py links once per module at boot.

The native one lives in libquarkshim.so (shim.c): Python only hands it the
kernel's memory and the linked modules at boot, and the engine calls it
directly from then on. The Python one is the fallback where no C compiler
built the shim.
"""

import ctypes
import os
import shutil
import sys
import time
from importlib import metadata

import wasmtime
from wasmtime import _ffi as ffi

from quark_abi import ENTRY_EXPORTS, INIT_EXPORT, KERNEL_MODULE_NAME, RESET_EXPORT, TRAMPOLINE_CODES

WHEEL_VERSION = "49.0.0"
HOST_FUNCS = ("invoke", "copy", "now", "spawn", "kill")
# Services' traps kept until the engine takes them (shim.c's MAX_NOTES): a service trapping in a loop cannot grow them.
MAX_TRAP_NOTES = 64
# The order of the status codes array that quark_shim_configure reads (the enum in quark_abi.h).
CODES = TRAMPOLINE_CODES
# The loader shim.c calls for SPAWN_STAGE: (pid, module index, out InstancePre pointer) -> status.
LOADER = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_uint32, ctypes.c_uint32, ctypes.POINTER(ctypes.c_void_p))


def recycling():
    """Whether dead instances are recycled: yes, unless QUARK_RECYCLE=0 (the bench's comparison, as the Node host)."""
    return os.environ.get("QUARK_RECYCLE") != "0"


class ShimUnavailable(Exception):
    """The native shim cannot be used; the message says why."""


def _types():
    i32, f64 = wasmtime.ValType.i32(), wasmtime.ValType.f64()
    return {
        "invoke": wasmtime.FuncType([i32] * 4, [i32]),
        "copy": wasmtime.FuncType([i32] * 5, [i32]),
        "now": wasmtime.FuncType([], [f64]),
        "spawn": wasmtime.FuncType([i32] * 3, [i32]),
        "kill": wasmtime.FuncType([i32], []),
    }


def root_cause(err):
    """The last line of the engine's message: the lines above it are a backtrace."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    return lines[-1] if lines else type(err).__name__


def entry_numbers(image):
    """Entry number -> export name, numbers from the image's ABI."""
    return {image.const(k): v for k, v in ENTRY_EXPORTS.items()}


class NativeTrampoline:
    """The host functions in C; Python fills the shim's tables once, at boot."""

    def __init__(self, path, image, verbose):
        self._lib = _open(path)
        lib = self._lib
        codes = (ctypes.c_int32 * len(CODES))(*(image.const(name) for name in CODES))
        if lib.quark_shim_configure(image.const("MAX_PROCS"), image.const("ENTRY_COUNT"), codes, int(verbose)) != 0:
            raise ShimUnavailable("the shim cannot hold ENTRY_COUNT=%d entries" % image.const("ENTRY_COUNT"))
        for number, name in entry_numbers(image).items():
            if lib.quark_shim_set_entry_name(number, name.encode()) != 0:
                raise ShimUnavailable("the shim cannot hold entry %s=%d" % (name, number))
        self._pid_kernel = image.const("PID_KERNEL")
        self._ok, self._nomodule = image.const("OK"), image.const("E_NOMODULE")
        self._types = _types()
        self._services = []
        if lib.quark_shim_set_reset_names(INIT_EXPORT.encode(), RESET_EXPORT.encode()) != 0:
            raise ShimUnavailable("the shim cannot hold the reset export names")
        self.set_recycling(recycling())

    def host_funcs(self, store):
        ptrs = [ctypes.cast(self._types[name].ptr(), ctypes.c_void_p) for name in HOST_FUNCS]
        types = (ctypes.c_void_p * len(HOST_FUNCS))(*ptrs)
        out = (ffi.wasmtime_func_t * len(HOST_FUNCS))()
        self._lib.quark_shim_funcs(store._context(), types, out)
        return {name: wasmtime.Func._from_raw(out[i]) for i, name in enumerate(HOST_FUNCS)}

    def set_kernel_memory(self, memory):
        self.set_memory(self._pid_kernel, memory)

    def set_memory(self, index, memory):
        """A memory host.copy reaches by `index`: the kernel's (PID_KERNEL), the HAL's (COPY_HAL)."""
        self._lib.quark_shim_set_memory(index, ctypes.byref(memory._memory))

    def load(self, services):
        """Hands the shim each module's InstancePre (or why it cannot link); None: not a service."""
        lib = self._lib
        if lib.quark_shim_set_module_count(len(services)) != 0:
            raise MemoryError("the shim's module table")
        for index, service in enumerate(services):
            if service is None:
                continue
            pre = ctypes.cast(service.pre.ptr(), ctypes.c_void_p) if service.pre else None
            error = service.link_error.encode() if service.link_error else None
            if lib.quark_shim_set_module(index, service.name.encode(), pre, error) != 0:
                raise MemoryError("the shim's module table")
        # The shim holds raw pointers to the InstancePre objects: they must live as long as it.
        self._services = services

    def set_loader(self, reload_module):
        """Hot reload: `reload_module(pid, index)` -> (status, Service) gives SPAWN_STAGE its module."""
        ok = self._ok

        def load(pid, index, out):
            try:
                status, service = reload_module(pid, index)
            except Exception as e:  # an exception escaping a callback would trap the kernel
                print("quark: reload of pid %d: %s" % (pid, e), file=sys.stderr)
                return self._nomodule
            if status == ok:
                # The Service (and its InstancePre) stays alive in machine.py's cache.
                out[0] = ctypes.cast(service.pre.ptr(), ctypes.c_void_p).value if service.pre else None
            return status

        self._loader = LOADER(load)  # kept: the shim holds the function pointer
        self._lib.quark_shim_set_loader(self._loader)

    def now(self):
        return self._lib.quark_shim_now()

    def set_recycling(self, on):
        """Recycle dead instances (the default); off only for the bench's comparison."""
        self._lib.quark_shim_set_recycling(int(on))

    def instances(self):
        """(instances made since boot, instances waiting to be recycled)."""
        out = (ctypes.c_uint32 * 2)()
        self._lib.quark_shim_instances(out)
        return out[0], out[1]

    def kernel_trap(self):
        """The pid being served when the kernel itself trapped, or -1."""
        return self._lib.quark_shim_kernel_trap()

    def take_traps(self):
        """The services' traps since the last call: [pid, module name, the engine's message] each."""
        name, text = ctypes.create_string_buffer(64), ctypes.create_string_buffer(256)
        traps = []
        while True:
            pid = self._lib.quark_shim_take_trap(name, text)
            if pid < 0:
                return traps
            traps.append([pid, name.value.decode(errors="replace"), text.value.decode(errors="replace")])




def _in_kernel(err):
    """Did the trap happen in the kernel's own code (its name section says quark-kernel)?"""
    frames = getattr(err, "frames", None) or []
    return bool(frames) and frames[0].module_name == KERNEL_MODULE_NAME


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
    u32, i32, ptr = ctypes.c_uint32, ctypes.c_int32, ctypes.c_void_p
    signatures = {
        "quark_shim_configure": (ctypes.c_int, [u32, u32, ptr, i32]),
        "quark_shim_sizes": (None, [ptr]),
        "quark_shim_set_entry_name": (ctypes.c_int, [u32, ctypes.c_char_p]),
        "quark_shim_set_module_count": (ctypes.c_int, [u32]),
        "quark_shim_set_module": (ctypes.c_int, [u32, ctypes.c_char_p, ptr, ctypes.c_char_p]),
        "quark_shim_set_memory": (None, [u32, ptr]),
        "quark_shim_funcs": (None, [ptr, ptr, ptr]),
        "quark_shim_now": (ctypes.c_double, []),
        "quark_shim_kernel_trap": (ctypes.c_int32, []),
        "quark_shim_take_trap": (ctypes.c_int32, [ctypes.c_char_p, ctypes.c_char_p]),
        "quark_shim_set_loader": (None, [LOADER]),
        "quark_shim_set_recycling": (None, [i32]),
        "quark_shim_set_reset_names": (ctypes.c_int, [ctypes.c_char_p, ctypes.c_char_p]),
        "quark_shim_instances": (None, [ptr]),
    }
    for name, (restype, argtypes) in signatures.items():
        try:
            fn = getattr(lib, name)
        except AttributeError:
            raise ShimUnavailable("%s lacks %s (rebuild it: `quark setup wasmtime`)" % (path, name))
        fn.restype, fn.argtypes = restype, argtypes
    _check_layouts(lib)
    return lib


def _check_layouts(lib):
    sizes = (ctypes.c_size_t * 6)()
    lib.quark_shim_sizes(sizes)
    structs = (ffi.wasmtime_func_t, ffi.wasmtime_memory_t, ffi.wasmtime_val_raw_t, ffi.wasmtime_instance_t,
               ffi.wasmtime_extern_t)
    want = [ctypes.sizeof(t) for t in structs] + [ffi.wasmtime_extern_t.of.offset]
    if list(sizes) != want:
        raise ShimUnavailable("struct layouts in the shim %s differ from the wheel's %s" % (list(sizes), want))


class PythonTrampoline:
    """The same host functions as Python callbacks: correct, but tens of µs per call."""

    def __init__(self, image, verbose):
        self._c = {name: image.const(name) for name in CODES + ("MAX_PROCS",)}
        self._staged = {}
        self._reload_module = None
        self._entries = entry_numbers(image)
        self._verbose = verbose
        self._procs = {}
        self._services = []
        self._epoch = time.monotonic_ns()
        self._store = None
        self._kernel_trap = -1
        # Services' traps until the engine takes them, and each pid's module name for them (shim.c's notes).
        self._traps = []
        self._names = {}
        # Dead instances kept per module for reuse (shim.c's pool, the same rule).
        self._pool = {}
        self._recycling = recycling()
        self._made = 0

    def kernel_trap(self):
        return self._kernel_trap

    def take_traps(self):
        traps, self._traps = self._traps, []
        return traps

    def _note_trap(self, pid, name, e):
        if len(self._traps) < MAX_TRAP_NOTES:
            self._traps.append([pid, name, root_cause(e)])

    def set_recycling(self, on):
        self._recycling = bool(on)

    def instances(self):
        return self._made, sum(len(rows) for rows in self._pool.values())

    def _recycle(self, row):
        """A dead instance goes back to its module's pool if it can be reset."""
        if not self._recycling or row is None or row[3] is None:
            return
        rows = self._pool.setdefault(id(row[2]), [])
        if len(rows) < 2 * self._c["MAX_PROCS"]:
            rows.append(row)

    def host_funcs(self, store):
        self._store = store
        t = _types()
        callbacks = {
            "invoke": self._invoke, "copy": self._copy, "now": self.now, "spawn": self._spawn, "kill": self._kill,
        }
        return {name: wasmtime.Func(store, t[name], callbacks[name]) for name in HOST_FUNCS}

    def set_kernel_memory(self, memory):
        self.set_memory(self._c["PID_KERNEL"], memory)

    def set_memory(self, index, memory):
        self._procs[index] = ({}, memory)

    def load(self, services):
        self._services = services

    def set_loader(self, reload_module):
        self._reload_module = reload_module

    def now(self):
        return float(time.monotonic_ns() - self._epoch)

    def _say(self, message):
        if self._verbose:
            print("quark: " + message, file=sys.stderr)

    # ------------------------------------------------------------ invoke / copy
    def _invoke(self, pid, entry, a0, a1):
        func = self._procs.get(pid, ({}, None))[0].get(entry)
        if func is None:
            return self._c["INVOKE_NOENTRY"]
        try:
            r = func(self._store, a0, a1)
        except (wasmtime.Trap, wasmtime.WasmtimeError) as e:
            if _in_kernel(e):
                if self._kernel_trap < 0:
                    self._kernel_trap = pid
            else:
                self._note_trap(pid, self._names.get(pid, ""), e)
            return self._c["INVOKE_TRAPPED"]
        # A handler's own status must never read as this trampoline's verdict.
        return self._c["E_ARG"] if r in (self._c["INVOKE_TRAPPED"], self._c["INVOKE_NOENTRY"]) else r

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
            return self._c["E_FAULT"]
        ctypes.memmove(dst_at, src_at, length & u)
        return self._c["OK"]

    # ------------------------------------------------------------ spawn / kill
    def _is_process(self, pid):
        return 0 <= pid < self._c["MAX_PROCS"] and pid != self._c["PID_KERNEL"]

    def _kill(self, pid):
        if self._is_process(pid):
            self._recycle(self._procs.pop(pid, None))
            self._recycle(self._staged.pop(pid, None))

    def _spawn(self, pid, index, flags):
        c = self._c
        try:
            if flags in (c["SPAWN_SWAP"], c["SPAWN_DISCARD"]) and self._is_process(pid):
                return self._swap(pid) if flags == c["SPAWN_SWAP"] else (self._recycle(self._staged.pop(pid, None)), c["OK"])[1]
            if flags == c["SPAWN_STAGE"]:
                return self._stage(pid, index)
            if flags != 0:
                return c["E_ARG"]
            return self._spawn_process(pid, index)
        except Exception as e:  # an exception escaping a callback would trap the kernel
            self._say("pid %d: spawn failed: %s" % (pid, e))
            return self._c["E_CRASHED"]

    def _swap(self, pid):
        if pid not in self._staged:
            return self._c["E_ARG"]
        live = self._procs.pop(pid, None)
        self._procs[pid] = self._staged.pop(pid)
        if live is not None:
            self._staged[pid] = live
        return self._c["OK"]

    def _stage(self, pid, index):
        """Hot reload: the module as the image file holds it now, beside the live instance."""
        if not self._is_process(pid):
            return self._c["E_ARG"]
        service = self._services[index] if 0 <= index < len(self._services) else None
        if service is None:
            return self._c["E_NOMODULE"]
        self._recycle(self._staged.pop(pid, None))
        if self._reload_module is not None:
            status, service = self._reload_module(pid, index)
            if status != self._c["OK"]:
                return status
        status, row = self._spawn_service(pid, service)
        if row is not None:
            self._staged[pid] = row
        return status

    def _spawn_process(self, pid, index):
        c = self._c
        if not self._is_process(pid):
            return c["E_ARG"]
        service = self._services[index] if 0 <= index < len(self._services) else None
        if service is None:
            return c["E_NOMODULE"]
        self._kill(pid)
        status, row = self._spawn_service(pid, service)
        if row is not None:
            self._procs[pid] = row
        return status

    def _spawn_service(self, pid, service):
        c = self._c
        who = "pid %d (%s)" % (pid, service.name)
        self._names[pid] = service.name
        if service.pre is None:
            self._say("%s %s" % (who, service.link_error))
            return c["E_LINK"], None
        # A dead instance of the module put back as new by its quark_reset, or a
        # new one set up by its quark_init (tools/loader/reset.ts); the module's
        # start code runs here, metered as the pid, and a trap in it is E_CRASHED.
        rows = self._pool.get(id(service.pre))
        row = rows.pop() if rows else None
        setup = row[3] if row else None
        if row is None:
            try:
                instance = service.pre.instantiate(self._store)
            except wasmtime.Trap as e:
                self._say("%s trapped while instantiating: %s" % (who, root_cause(e)))
                self._note_trap(pid, service.name, e)
                return c["E_CRASHED"], None
            except wasmtime.WasmtimeError as e:
                self._say("%s cannot be instantiated: %s" % (who, root_cause(e)))
                # A store never frees an instance, and caps their number (10000 by default):
                # past it every spawn fails this way.
                return (c["E_NOSPACE"] if "resource limit" in str(e) else c["E_LINK"]), None
            self._made += 1
            exports = instance.exports(self._store)
            # machine.py checked at link time that each entry export is an (i32, i32) -> i32 function.
            entries = {number: exports[name] for number, name in self._entries.items() if name in exports}
            memory = exports.get("memory")
            reset, setup = exports.get(RESET_EXPORT), exports.get(INIT_EXPORT)
            row = (entries, memory if isinstance(memory, wasmtime.Memory) else None, service.pre,
                   reset if isinstance(reset, wasmtime.Func) else None)
        if isinstance(setup, wasmtime.Func):
            try:
                setup(self._store)
            except (wasmtime.Trap, wasmtime.WasmtimeError) as e:
                self._say("%s trapped while instantiating: %s" % (who, root_cause(e)))
                if isinstance(e, wasmtime.Trap):
                    self._note_trap(pid, service.name, e)
                self._recycle(row)
                return c["E_CRASHED"], None
        return c["OK"], row


def trampoline(shim_path, force_python, image, verbose):
    """The native trampoline if usable, else the Python one and the reason for it."""
    if force_python:
        return PythonTrampoline(image, verbose), "--python-trampoline given"
    try:
        return NativeTrampoline(shim_path, image, verbose), None
    except ShimUnavailable as e:
        return PythonTrampoline(image, verbose), str(e)
