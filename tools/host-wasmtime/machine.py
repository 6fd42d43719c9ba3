"""The instances of a booted image (boot steps 1-3) and the host functions off the hot path.

One store holds the HAL, the kernel and every process: the kernel calls a
process's entry through host.invoke with its own store context, and a process
calls the kernel's exports directly, which wasmtime allows only within a
store. host.spawn, host.kill and host.console_out are Python callbacks here;
host.invoke, host.copy and host.now come from the trampoline (shim.py).
"""

import sys

import wasmtime

from image import ImageError
from shim import entry_numbers, root_cause

U32 = 0xFFFFFFFF
ENTRY_PARAMS = ["i32", "i32"]
ENTRY_RESULTS = ["i32"]


class LinkError(Exception):
    """A process import or entry the host cannot link; the message names it."""


def _names(valtypes):
    return [str(t) for t in valtypes]


def _instantiate(store, module, resolve, who):
    imports = [resolve(imp.module, imp.name, who) for imp in module.imports]
    return wasmtime.Instance(store, module, imports)


class Machine:
    def __init__(self, image, trampoline, verbose):
        self.image = image
        self.trampoline = trampoline
        self.verbose = verbose
        self.store = wasmtime.Store(wasmtime.Engine())
        self.c = image.const
        self.entries = entry_numbers(image)
        self.procs = {}
        self._compile()
        self.host = trampoline.host_funcs(self.store)
        self._add_python_funcs()
        self.hal = _instantiate(self.store, self.modules[0], self._resolve_hal, "HAL").exports(self.store)
        self.hal_memory = self._memory_of(self.hal, "HAL")
        self.hal["hal_init"](self.store)
        self.kernel = _instantiate(self.store, self.kernel_module, self._resolve_kernel, "kernel").exports(self.store)
        trampoline.register(self.c("PID_KERNEL"), {}, self._memory_of(self.kernel, "kernel"))

    def _compile(self):
        engine = self.store.engine
        try:
            self.kernel_module = wasmtime.Module(engine, self.image.kernel)
        except wasmtime.WasmtimeError as e:
            raise ImageError("the kernel does not compile: %s" % root_cause(e))
        self.modules = []
        for entry, body in zip(self.image.modules, self.image.module_bytes):
            try:
                self.modules.append(wasmtime.Module(engine, body))
            except wasmtime.WasmtimeError as e:
                raise ImageError("module %s does not compile: %s" % (entry["name"], root_cause(e)))

    def _add_python_funcs(self):
        i32 = wasmtime.ValType.i32()
        s = self.store
        self.host["spawn"] = wasmtime.Func(s, wasmtime.FuncType([i32] * 3, [i32]), self.spawn)
        self.host["kill"] = wasmtime.Func(s, wasmtime.FuncType([i32], []), self.kill)
        self.host["console_out"] = wasmtime.Func(s, wasmtime.FuncType([i32] * 2, []), self.console_out)

    def _memory_of(self, exports, who):
        memory = exports.get("memory")
        if not isinstance(memory, wasmtime.Memory):
            raise ImageError("the %s does not export a memory" % who)
        return memory

    # ------------------------------------------------------------ linking
    def _resolve_hal(self, module, name, who):
        if module == "host" and name in ("now", "console_out"):
            return self.host[name]
        raise ImageError("the %s imports %s.%s, which the machine ABI does not provide" % (who, module, name))

    def _resolve_kernel(self, module, name, who):
        if module == "hal" and name in self.hal:
            return self.hal[name]
        if module == "host" and name in ("invoke", "spawn", "kill", "copy"):
            return self.host[name]
        raise ImageError("the %s imports %s.%s, which the machine ABI does not provide" % (who, module, name))

    def _resolve_process(self, module, name, who):
        export = {"quark": name, "env": "env_" + name}.get(module)
        func = self.kernel.get(export) if export else None
        if not isinstance(func, wasmtime.Func):
            raise LinkError("%s imports %s.%s, which is no function the kernel exports" % (who, module, name))
        return func

    def _entries(self, exports, who):
        found = {}
        for number, name in self.entries.items():
            func = exports.get(name)
            if func is None:
                continue
            ty = func.type(self.store) if isinstance(func, wasmtime.Func) else None
            if ty is None or _names(ty.params) != ENTRY_PARAMS or _names(ty.results) != ENTRY_RESULTS:
                raise LinkError("%s exports %s, but not as (i32, i32) -> i32" % (who, name))
            found[number] = func
        memory = exports.get("memory")
        return found, memory if isinstance(memory, wasmtime.Memory) else None

    # ------------------------------------------------------------ host.spawn / kill
    def spawn(self, pid, index, flags):
        try:
            return self._spawn(pid, index)
        except Exception as e:  # an exception escaping a callback would trap the kernel
            self._say("pid %d: spawn failed: %s" % (pid, e))
            return self.c("E_CRASHED")

    def _is_process(self, pid):
        return 0 <= pid < self.c("MAX_PROCS") and pid != self.c("PID_KERNEL")

    def _spawn(self, pid, index):
        if not self._is_process(pid):
            return self.c("E_ARG")
        if not 0 < index < len(self.modules) or self.image.modules[index].get("kind") != "service":
            return self.c("E_NOMODULE")
        self.kill(pid)
        who = "pid %d (%s)" % (pid, self.image.modules[index]["name"])
        try:
            instance = _instantiate(self.store, self.modules[index], self._resolve_process, who)
            entries, memory = self._entries(instance.exports(self.store), who)
        except LinkError as e:
            self._say(str(e))
            return self.c("E_LINK")
        except wasmtime.Trap as e:
            self._say("%s trapped while instantiating: %s" % (who, root_cause(e)))
            return self.c("E_CRASHED")
        except wasmtime.WasmtimeError as e:
            self._say("%s cannot be instantiated: %s" % (who, root_cause(e)))
            # A store never frees an instance, and caps their number (10000 by default):
            # past it every spawn fails this way.
            return self.c("E_NOSPACE") if "resource limit" in str(e) else self.c("E_LINK")
        self.procs[pid] = instance
        self.trampoline.register(pid, entries, memory)
        return self.c("OK")

    def kill(self, pid):
        if self._is_process(pid):
            self.trampoline.clear(pid)
            self.procs.pop(pid, None)

    # ------------------------------------------------------------ host.console_out
    def console_out(self, ptr, length):
        ptr, length = ptr & U32, length & U32
        if ptr + length > self.hal_memory.data_len(self.store):
            self._say("console_out(%d, %d) lies outside the HAL's memory" % (ptr, length))
            return
        try:
            sys.stdout.buffer.write(self.hal_memory.read(self.store, ptr, ptr + length))
            sys.stdout.buffer.flush()
        except OSError:
            pass  # a closed stdout (a reader that went away) must not trap the HAL

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
