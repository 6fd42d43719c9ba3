// The service library under its stable name: a service anywhere, in this tree
// or outside it, imports it as "quark/service" (quark build maps the `quark/`
// prefix to this folder: tools/lib/compile.ts), e.g.
//
//   import { arg, reply, log, OK, E_ARG } from "quark/service";
//
// It is the whole library (index.ts); a protocol's tags come from
// "quark/proto/NAME". See docs/writing-a-service.md.
export * from "./index";
