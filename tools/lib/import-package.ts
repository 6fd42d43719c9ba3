// An ES-module-only package (binaryen), imported from the tools. The CLI runs
// its bundle as a script (bin/quark.mjs, for V8's code cache), where import()
// needs a hook Node 20 has only behind a warning; the launcher lends its own
// import() under LENT_IMPORT instead. Loaded as modules (the tests), the
// tools import directly.
export const LENT_IMPORT = Symbol.for("quark.import");

type Importer = (name: string) => Promise<unknown>;

export function importPackage<T>(name: string): Promise<T> {
  const lent = (globalThis as Record<symbol, Importer | undefined>)[LENT_IMPORT];
  return (lent ? lent(name) : import(name)) as Promise<T>;
}
