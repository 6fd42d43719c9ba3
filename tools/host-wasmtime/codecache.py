"""Compiled modules kept on disk, so a boot of an image seen before maps each
module's machine code from a file instead of compiling it (or decompressing it
from wasmtime's own cache, which costs about a millisecond per module).

The board names the folder (one per wasmtime version: launch.ts) and gives
each module its key: a sha256 of everything its code depends on (the kernel's sections but
the quark.* ones, a module's bytes, or the loader's cache key of a service:
tools/board/image.ts, tools/board/services.ts). Engine settings are checked by
wasmtime itself when it deserializes; an entry it refuses is compiled again and
rewritten. The folder is the host's own, as trusted as the loader's cache and
the shim beside it: deserializing is only safe for files this engine wrote,
and no one else writes there. Entries are written whole (a temporary file,
then a rename) and the folder is kept to KEEP entries.
"""

import os

import wasmtime

KEEP = 256


class CodeCache:
    def __init__(self, folder, engine):
        self.folder, self.engine = folder, engine

    def module(self, body, key):
        """`body` compiled, from the cache when `key` (a hex string) names an entry; `key` None compiles."""
        if not key:
            return wasmtime.Module(self.engine, body)
        path = os.path.join(self.folder, key + ".cwasm")
        if os.path.exists(path):
            try:
                return wasmtime.Module.deserialize_file(self.engine, path)
            except wasmtime.WasmtimeError:
                pass  # written by another engine build: compile and replace it
        module = wasmtime.Module(self.engine, body)
        self._put(path, module)
        return module

    def _put(self, path, module):
        """Best effort: a cache that cannot be written is only a slower boot."""
        try:
            os.makedirs(self.folder, exist_ok=True)
            tmp = "%s.%d.tmp" % (path, os.getpid())
            with open(tmp, "wb") as f:
                f.write(module.serialize())
            os.replace(tmp, path)
            self._prune()
        except (OSError, wasmtime.WasmtimeError):
            pass

    def _prune(self):
        names = [n for n in os.listdir(self.folder) if n.endswith(".cwasm")]
        if len(names) <= KEEP:
            return
        aged = sorted(names, key=lambda n: os.stat(os.path.join(self.folder, n)).st_mtime)
        for n in aged[:len(names) - KEEP // 2]:
            try:
                os.remove(os.path.join(self.folder, n))
            except OSError:
                pass
