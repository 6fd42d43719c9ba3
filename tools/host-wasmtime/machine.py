"""The instances of a booted image (boot steps 1-3) and the linking of services.

One store holds the HAL, the kernel and every process: the kernel calls a
process's entry through host.invoke with its own store context, and a process
calls the kernel's exports directly, which wasmtime allows only within a
store. Each service module is linked against the kernel's exports once, here,
at boot; host.spawn (in the trampoline, shim.py) then only instantiates it.
host.console_out and host.random_fill are the Python callbacks here (both
off the per-message path); the others come from the trampoline.

The board (tools/board/, in Node) hands over modules already checked, run
through the service loader and judged by the link policy; this file compiles
them and links each import by name (engine.py).
"""

import hashlib
import os
import sys

import wasmtime
from wasmtime import _ffi as ffi

from quark_abi import KERNEL_REFUSAL_NAME
from codecache import CodeCache
from shim import ENTRY_EXPORTS, root_cause

U32 = 0xFFFFFFFF
ENTRY_PARAMS = ["i32", "i32"]
ENTRY_RESULTS = ["i32"]


class LinkError(Exception):
    """A process import or entry the host cannot link; the message names it."""


class ImageError(Exception):
    """The engine cannot use a module the board handed it; `module` names it, or None."""

    def __init__(self, message, module=None):
        super().__init__(message)
        self.module = module


class Service:
    """A service module as host.spawn sees it: linked (`pre`), or why it cannot be (`link_error`)."""

    def __init__(self, name, pre=None, link_error=None):
        self.name = name
        self.pre = pre
        self.link_error = link_error


def _names(valtypes):
    return [str(t) for t in valtypes]


# The engine stack wasm may use. The kernel's stack accounting (kernel/stack.ts,
# STACK_SLOTS) is measured against this (tests/unit/stack-calibration.test.ts);
# set here rather than left to the engine's default so the two cannot drift.
MAX_WASM_STACK = 1 << 20


def engine_config():
    """The engine settings every instance of the machine runs under."""
    config = wasmtime.Config()
    config.max_wasm_stack = MAX_WASM_STACK
    # Copy-on-write memory images map each instance's initial memory from a
    # file and then take a copy fault on the first write to every page; for
    # quark's services, whose data segments are a few pages, copying the
    # segments at instantiation is cheaper and a restart ~4 µs faster
    # (docs/host-wasmtime.md). The wheel's Config has no property for it.
    ffi.wasmtime_config_memory_init_cow_set(config.ptr(), False)
    # Compiled code is cached on disk (wasmtime's own cache, keyed by the
    # module's bytes and the engine's settings): a second boot of an image
    # loads machine code instead of running Cranelift again.
    try:
        config.cache = True
    except wasmtime.WasmtimeError:
        pass  # no usable cache directory: compile every time
    return config


def _engine():
    return wasmtime.Engine(engine_config())


def _instantiate(store, module, resolve, who):
    imports = [resolve(imp.module, imp.name, who) for imp in module.imports]
    return wasmtime.Instance(store, module, imports)


class Machine:
    def __init__(self, image, trampoline, verbose, out, fetch):
        """`out(bytes)` takes console output; `fetch(pid, index)` -> (status, bytes, refusal) is the
        board's answer for a hot reload's module (tools/board/reload.ts), already through the loader."""
        self.out = out
        self.fetch = fetch
        self.image = image
        self._reloaded = {}  # sha256 of a module's bytes -> its Service, kept alive for the shim
        self.trampoline = trampoline
        self.verbose = verbose
        self.store = wasmtime.Store(_engine())
        self.c = image.const
        self._compile()
        self.host = trampoline.host_funcs(self.store)
        self._add_hal_callbacks()
        self.hal = _instantiate(self.store, self.modules[0], self._resolve_hal, "HAL").exports(self.store)
        self.hal_memory = self._memory_of(self.hal, "HAL")
        self.hal["hal_init"](self.store)
        self.kernel = _instantiate(self.store, self.kernel_module, self._resolve_kernel, "kernel").exports(self.store)
        trampoline.set_kernel_memory(self._memory_of(self.kernel, "kernel"))
        # host.copy reaches the HAL's memory too, as COPY_HAL: the kernel moves a device's DMA that way.
        trampoline.set_memory(image.const("COPY_HAL"), self.hal_memory)
        self.services = self._link_services()
        trampoline.load(self.services)
        trampoline.set_loader(self.reload_module)

    def _compile(self):
        image = self.image
        cache = CodeCache(image.code_cache, self.store.engine) if image.code_cache else None
        compile = cache.module if cache else (lambda body, key: wasmtime.Module(self.store.engine, body))
        try:
            self.kernel_module = compile(image.kernel, image.kernel_key)
        except wasmtime.WasmtimeError as e:
            raise ImageError(root_cause(e), KERNEL_REFUSAL_NAME)
        self.modules = []
        for entry, body, refused, key in zip(image.modules, image.module_bytes, image.refusals, image.keys):
            try:
                self.modules.append(LinkError(refused) if refused else compile(body, key))
            except wasmtime.WasmtimeError as e:
                raise ImageError(root_cause(e), entry["name"])

    def _add_hal_callbacks(self):
        i32 = wasmtime.ValType.i32()
        self.host["console_out"] = wasmtime.Func(self.store, wasmtime.FuncType([i32] * 2, []), self.console_out)
        self.host["random_fill"] = wasmtime.Func(self.store, wasmtime.FuncType([i32] * 2, []), self.random_fill)

    def _memory_of(self, exports, who):
        memory = exports.get("memory")
        if not isinstance(memory, wasmtime.Memory):
            raise ImageError("the %s does not export a memory" % who)
        return memory

    # ------------------------------------------------------------ linking
    def _resolve_hal(self, module, name, who):
        if module == "host" and name in ("now", "console_out", "random_fill"):
            return self.host[name]
        raise ImageError("the %s imports %s.%s, which the machine ABI does not provide" % (who, module, name))

    def _resolve_kernel(self, module, name, who):
        if module == "hal" and name in self.hal:
            return self.hal[name]
        if module == "host" and name in ("invoke", "spawn", "kill", "copy"):
            return self.host[name]
        raise ImageError("the %s imports %s.%s, which the machine ABI does not provide" % (who, module, name))

    # ------------------------------------------------------------ services
    def _link_services(self):
        """Per module index, the Service to spawn, or None where the index names no service.

        Import resolution, type checks and the entry checks are the same for
        every instance of a module, so they are done once: a restart only
        instantiates the InstancePre.
        """
        # Only what a service may import, as the board lists it (tools/lib/linkable.ts):
        # the syscalls, env's abort/trace/seed, and the loader's metering imports.
        # Never what the host drives (boot, run, ...).
        exported = {name: item for name, item in self.kernel.items() if isinstance(item, (wasmtime.Func, wasmtime.Global))}
        funcs = {}
        linker = wasmtime.Linker(self.store.engine)
        for module, name, export in self.image.linkable:
            if export in exported:
                linker.define(self.store, module, name, exported[export])
                funcs[(module, name)] = exported[export]
        self._funcs, self._linker = funcs, linker
        services = []
        for index, (entry, module) in enumerate(zip(self.image.modules, self.modules)):
            if index == 0 or entry.get("kind") != "service":
                services.append(None)
                continue
            services.append(self._link_one(entry["name"], module))
        return services

    def _compile_service(self, body, refused):
        """The module as the loader rewrote it, compiled; or why the board refuses it (a link failure: E_LINK)."""
        return LinkError(refused) if refused else wasmtime.Module(self.store.engine, body)

    def _link_one(self, name, module):
        if isinstance(module, LinkError):
            return Service(name, link_error=str(module))
        try:
            self._check_links(module, self._funcs)
            return Service(name, pre=self._linker.instantiate_pre(module))
        except LinkError as e:
            return Service(name, link_error=str(e))
        except wasmtime.WasmtimeError as e:
            return Service(name, link_error="cannot be instantiated: %s" % root_cause(e))

    # ------------------------------------------------------------ hot reload
    def reload_module(self, pid, index):
        """(status, Service) for module `index` as the image file holds it now (host.spawn with SPAWN_STAGE).

        The board reads the file again (tools/board/reload.ts: the same check
        as at boot, the same module name at that index, the loader, the link
        policy) and says why on stderr when it refuses. Modules are compiled
        and linked like the boot-time ones, and cached by their sha256, so
        reloading the same build twice links once.
        """
        c = self.c
        booted = self.services[index] if 0 <= index < len(self.services) else None
        if booted is None:
            return c("E_NOMODULE"), None
        status, body, refused = self.fetch(pid, index)
        if status != c("OK"):
            return status, None
        key = hashlib.sha256(body).hexdigest()
        service = self._reloaded.get(key)
        if service is None:
            if body == self.image.module_bytes[index]:
                service = booted
            else:
                try:
                    service = self._link_one(booted.name, self._compile_service(body, refused))
                except wasmtime.WasmtimeError as e:
                    print("quark: reload of pid %d: module %s does not compile: %s" % (pid, booted.name, root_cause(e)),
                          file=sys.stderr)
                    return c("E_NOMODULE"), None
            self._reloaded[key] = service
        if service.pre is None:
            if self.verbose:
                print("quark: pid %d (%s) %s" % (pid, booted.name, service.link_error), file=sys.stderr)
            return c("E_LINK"), None
        return c("OK"), service

    @staticmethod
    def _check_links(module, funcs):
        for imp in module.imports:
            if (imp.module, imp.name) not in funcs:  # the board's policy allowed it: the kernel lacks it
                raise LinkError("import %s.%s is not provided by the kernel" % (imp.module, imp.name))
        entries = set(ENTRY_EXPORTS.values())
        for exp in module.exports:
            if exp.name not in entries:
                continue
            ty = exp.type
            # invoke's unchecked call in the shim relies on this type.
            if not (isinstance(ty, wasmtime.FuncType)
                    and _names(ty.params) == ENTRY_PARAMS and _names(ty.results) == ENTRY_RESULTS):
                raise LinkError("exports %s, but not as (i32, i32) -> i32" % exp.name)

    # ------------------------------------------------------------ host.console_out
    def console_out(self, ptr, length):
        ptr, length = ptr & U32, length & U32
        if ptr + length > self.hal_memory.data_len(self.store):
            self._say("console_out(%d, %d) lies outside the HAL's memory" % (ptr, length))
            return
        self.out(self.hal_memory.read(self.store, ptr, ptr + length))  # to the board (engine.py)

    # ------------------------------------------------------------ host.random_fill
    # The HAL's entropy device asks for a few hundred bytes per refill, so a
    # Python callback costs little here.
    def random_fill(self, ptr, length):
        ptr, length = ptr & U32, length & U32
        if ptr + length > self.hal_memory.data_len(self.store):
            self._say("random_fill(%d, %d) lies outside the HAL's memory" % (ptr, length))
            return
        self.hal_memory.write(self.store, os.urandom(length), ptr)

    def _say(self, message):
        if self.verbose:
            print("quark: " + message, file=sys.stderr)

    # ------------------------------------------------------------ kernel exports
    def call(self, name, *args):
        return self.kernel[name](self.store, *args)

    def uart_rx(self, byte):
        return self.hal["uart_rx"](self.store, byte)

    def write_kernel(self, at, data):
        self._memory_of(self.kernel, "kernel").write(self.store, data, at)
