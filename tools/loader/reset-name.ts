// The exports the loader adds to a module it can reset (reset.ts), which the
// hosts call: quark_init on a new instance, quark_reset on one recycled. A
// module may not export either itself. The names are the ABI's (abi/machine.ts,
// INIT_EXPORT and RESET_EXPORT); the loader is AssemblyScript and cannot read
// the generated TypeScript (tools/lib/abi-texts.ts), so they are repeated here
// and tests/unit/loader.test.ts checks the two agree.
export const INIT_EXPORT = "quark_init";
export const RESET_EXPORT = "quark_reset";
