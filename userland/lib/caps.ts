// Capabilities by name: init labels each capability it grants with the FNV-1a
// hash of its manifest name, so a service finds "log" without knowing a slot.
import * as sys from "./sys";

export function fnv1a(s: string): i32 {
  let h: u32 = 0x811c9dc5;
  for (let i = 0, n = s.length; i < n; i++) {
    const c = s.charCodeAt(i);
    // UTF-8 of the BMP, the same bytes the build hashes.
    if (c < 0x80) { h = (h ^ c) * 0x01000193; }
    else if (c < 0x800) { h = (h ^ (0xc0 | (c >> 6))) * 0x01000193; h = (h ^ (0x80 | (c & 63))) * 0x01000193; }
    else {
      h = (h ^ (0xe0 | (c >> 12))) * 0x01000193;
      h = (h ^ (0x80 | ((c >> 6) & 63))) * 0x01000193;
      h = (h ^ (0x80 | (c & 63))) * 0x01000193;
    }
  }
  return <i32>h;
}

/** The slot of the capability granted under `name`, or E_BADSLOT (< 0). */
export function capByName(name: string): i32 { return sys.cap_find(fnv1a(name)); }
