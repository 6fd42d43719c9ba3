"""The service loader under wasmtime: runs build/loader.wasm (tools/loader/,
the same module the Node host runs) on a service module's bytes before the
host compiles it. The loader adds the CPU and stack charges and refuses what
it cannot vouch for; a refusal is a LoadError naming the module.

The loader runs in its own Store, apart from the machine's, and one instance
serves every module (its heap is reset per module).
"""

import wasmtime


class LoadError(Exception):
    """The loader refused a module, or cannot run; the message names the module and says why."""


class Loader:
    def __init__(self, path, engine=None):
        self.path = path
        try:
            with open(path, "rb") as f:
                wasm = f.read()
        except OSError as e:
            raise LoadError("the service loader %s is missing (%s); run `node tools/build-tools.mjs`" % (path, e.strerror))
        self.store = wasmtime.Store(engine or wasmtime.Engine())
        module = wasmtime.Module(self.store.engine, wasm)
        self.exports = wasmtime.Instance(self.store, module, []).exports(self.store)
        self.memory = self.exports["memory"]
        self.entry_weight = 0  # of the last module: the largest stack weight of an exported function

    def _call(self, name, *args):
        return self.exports[name](self.store, *args)

    def instrument(self, data, name, flags=0):
        """The module `name`'s bytes, instrumented; raises LoadError if the loader refuses them.

        `flags`: 0, or LOADER_NO_STACK_GUARD, which only `quark bench` uses."""
        ptr = self._call("alloc", len(data)) & 0xFFFFFFFF
        if ptr == 0:
            raise LoadError("service %s: the loader has no memory for a module of %d bytes" % (name, len(data)))
        self.memory.write(self.store, data, ptr)
        n = self._call("instrument", ptr, len(data), flags)
        if n < 0:
            at = self._call("error_ptr") & 0xFFFFFFFF
            message = self.memory.read(self.store, at, at + self._call("error_len"))
            raise LoadError("service %s refused by the loader: %s" % (name, message.decode("utf-8", "replace")))
        at = self._call("output_ptr") & 0xFFFFFFFF
        self.entry_weight = self._call("max_export_weight") & 0xFFFFFFFF
        return bytes(self.memory.read(self.store, at, at + n))
