// A file's bytes as a plain Uint8Array over the Buffer readFileSync made:
// not a copy (`new Uint8Array(buffer)` copies every byte), and not a Buffer,
// whose slice() would share its bytes where a Uint8Array's copies them.
import { readFileSync } from "node:fs";

export function fileBytes(file: string | number): Uint8Array<ArrayBuffer> {
  const b = readFileSync(file);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength) as Uint8Array<ArrayBuffer>;
}
