// The export the loader adds to a module it can reset (reset.ts), which the
// hosts call to recycle an instance. A module may not export it itself.
export const RESET_EXPORT = "quark_reset";
