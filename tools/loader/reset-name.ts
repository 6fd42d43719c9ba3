// The exports the loader adds to a module it can reset (reset.ts), which the
// hosts call: quark_init on a new instance, quark_reset on one recycled. A
// module may not export either itself.
export const INIT_EXPORT = "quark_init";
export const RESET_EXPORT = "quark_reset";
