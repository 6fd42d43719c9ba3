"""The service loader under wasmtime: runs build/loader.wasm (tools/loader/,
the same module the Node host runs) on a service module's bytes before the
host compiles it. The loader adds the CPU and stack charges and refuses what
it cannot vouch for; a refusal is a LoadError naming the module.

The loader runs in its own Store, apart from the machine's, and one instance
serves every module (its heap is reset per module).
"""

import hashlib
import os

import wasmtime

# Entries kept in the cache; past this, the older half goes at the next write.
CACHE_KEEP = 512


class LoaderCache:
    """The loader's outputs on disk, shared with the Node host (tools/host-node/loader-cache.ts).

    An entry is named by the sha256 of the loader's bytes, the flags and the
    sha256 of the module as given, so it is exactly what this loader makes of
    those bytes. The folder is the host's own (build/loader-cache), as trusted
    as build/loader.wasm. Writing is best effort: a cache that cannot be
    written is only a slower boot.
    """

    def __init__(self, folder, loader_bytes):
        self.folder = folder
        self.loader_hash = hashlib.sha256(loader_bytes).hexdigest()[:16]

    def _path(self, data, flags):
        return os.path.join(self.folder, "%s-%d-%s.wasm" % (self.loader_hash, flags, hashlib.sha256(data).hexdigest()))

    def get(self, data, flags):
        try:
            with open(self._path(data, flags), "rb") as f:
                return f.read()
        except OSError:
            return None

    def put(self, data, flags, out):
        try:
            os.makedirs(self.folder, exist_ok=True)
            path = self._path(data, flags)
            tmp = "%s.%d.tmp" % (path, os.getpid())
            with open(tmp, "wb") as f:
                f.write(out)
            os.replace(tmp, path)
            self._prune()
        except OSError:
            pass

    def _prune(self):
        names = [n for n in os.listdir(self.folder) if n.endswith(".wasm")]
        if len(names) <= CACHE_KEEP:
            return
        paths = sorted((os.path.join(self.folder, n) for n in names), key=os.path.getmtime)
        for path in paths[: len(names) - CACHE_KEEP // 2]:
            try:
                os.remove(path)
            except OSError:
                pass


class LoadError(Exception):
    """The loader refused a module, or cannot run; the message names the module and says why."""


class Loader:
    def __init__(self, path, engine=None, cache=True):
        self.path = path
        try:
            with open(path, "rb") as f:
                self.wasm = f.read()
        except OSError as e:
            raise LoadError("the service loader %s is missing (%s); run `node tools/build-tools.mjs`" % (path, e.strerror))
        self.engine = engine or wasmtime.Engine()
        self.exports = None  # instantiated at the first module the cache does not hold
        self.cache = LoaderCache(os.path.join(os.path.dirname(os.path.abspath(path)), "loader-cache"), self.wasm) if cache else None
        self.entry_weight = 0  # of the last module: the largest stack weight of an exported function

    def _start(self):
        self.store = wasmtime.Store(self.engine)
        module = wasmtime.Module(self.engine, self.wasm)
        self.exports = wasmtime.Instance(self.store, module, []).exports(self.store)
        self.memory = self.exports["memory"]

    def _call(self, name, *args):
        return self.exports[name](self.store, *args)

    def instrument(self, data, name, flags=0):
        """The module `name`'s bytes, instrumented; raises LoadError if the loader refuses them.

        `flags`: 0, or LOADER_NO_STACK_GUARD, which only `quark bench` uses."""
        kept = self.cache.get(data, flags) if self.cache else None
        if kept is not None:
            return kept
        out = self._instrument(data, name, flags)  # a refusal is never kept: it is said every time
        if self.cache:
            self.cache.put(data, flags, out)
        return out

    def _instrument(self, data, name, flags):
        if self.exports is None:
            self._start()
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
