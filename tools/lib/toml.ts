// A TOML 1.0 parser that keeps the source position of every key and value, so
// a validator built on it can point at the exact spot a user has to fix.
//
// Syntax errors do not stop the parse: each is recorded, the parser skips to
// the next line that can start a statement, and the first error is thrown at
// the end carrying all of them, so one run reports every mistake in the file.
// Duplicate keys and redefined tables skip nothing: the tree stays whole, so a
// validator may go on to report its own errors alongside them.

export interface Position {
  line: number; // 1-based
  col: number; // 1-based, in code points
}

export interface TomlString extends Position { kind: "string"; value: string }
export interface TomlInteger extends Position { kind: "integer"; value: number }
export interface TomlFloat extends Position { kind: "float"; value: number }
export interface TomlBoolean extends Position { kind: "boolean"; value: boolean }
// Dates and times are kept as their source text; manifests have no use for them.
export interface TomlDateTime extends Position { kind: "datetime"; value: string }
export interface TomlArray extends Position {
  kind: "array";
  items: TomlNode[];
  ofTables: boolean; // built by [[headers]]: may grow; a literal array may not
}

// How a table came to exist decides whether a later header or dotted key may
// define or extend it (TOML 1.0, "Table" and "Inline Table").
export type TableOrigin = "root" | "implicit" | "header" | "dotted" | "inline";

export interface TomlTable extends Position {
  kind: "table";
  origin: TableOrigin;
  entries: Map<string, TomlEntry>; // in order of first appearance
}

export interface TomlEntry extends Position {
  key: string; // the position is the key's (for a table, where it is defined)
  value: TomlNode;
}

export type TomlNode =
  | TomlString | TomlInteger | TomlFloat | TomlBoolean | TomlDateTime | TomlArray | TomlTable;

export class TomlError extends Error {
  /** Every syntax error of the document, this one first. */
  errors: TomlError[] = [this];
  constructor(message: string, readonly line: number, readonly column: number, readonly hint = "") {
    super(message);
    this.name = "TomlError";
  }
}

/** Parses a document into its root table; throws TomlError listing every syntax error. */
export function parseToml(text: string): TomlTable {
  const { root, errors } = parseTomlPartial(text);
  if (errors.length > 0) {
    errors[0].errors = errors;
    throw errors[0];
  }
  return root;
}

export interface TomlParse {
  root: TomlTable;
  errors: TomlError[]; // in source order of discovery
  // No statement was skipped: every error left the tree as if the offending
  // definition were absent (a duplicate key, a redefined table, a bad escape).
  complete: boolean;
}

/** Parses as far as possible, returning the tree together with every syntax error. */
export function parseTomlPartial(text: string): TomlParse {
  return new Parser(text.startsWith("\uFEFF") ? text.slice(1) : text).document();
}

/** The plain JavaScript value of a node (tables become objects, in source order). */
export function toPlain(node: TomlNode): unknown {
  switch (node.kind) {
    case "array":
      return node.items.map(toPlain);
    case "table": {
      const out: Record<string, unknown> = {};
      for (const [k, e] of node.entries) out[k] = toPlain(e.value);
      return out;
    }
    default:
      return node.value;
  }
}

/** Names a node's type the way a user reads it in an error message. */
export function describeKind(node: TomlNode): string {
  if (node.kind === "array") return node.ofTables ? "an array of tables" : "an array";
  if (node.kind === "integer") return "an integer";
  return `a ${node.kind}`;
}

interface KeyPart extends Position { name: string }

// Where to resume after an error: a line that starts `key =`, or a header
// (a bracket, then a key, and no comma, unlike a row of a nested array).
// Anything else may be the tail of a broken multi-line value.
const KEY_PART = String.raw`(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')`;
const DOTTED = String.raw`${KEY_PART}(?:[ \t]*\.[ \t]*${KEY_PART})*`;
const SYNC_LINE = new RegExp(String.raw`^[ \t]*(?:\[\[?[ \t]*[A-Za-z0-9_"'-][^,#]*(?:#.*)?$|${DOTTED}[ \t]*=)`);
// A line inside an array that can only be a statement: `key =`, or a header
// whose name could not be an array of one value (true, false, inf, nan, numbers).
const STATEMENT_IN_ARRAY = new RegExp(
  String.raw`^[ \t]*(?:${DOTTED}[ \t]*=|\[\[?[ \t]*(?!(?:true|false|inf|nan)\b)[A-Za-z_][A-Za-z0-9_.-]*[ \t]*\]\]?[ \t]*(?:#.*)?$)`,
);

const BARE_KEY = /[A-Za-z0-9_-]+/y;
const BARE_TOKEN = /[0-9A-Za-z_.+\-:]+/y;
const DATETIME =
  /(?:\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})?)?|\d{2}:\d{2}:\d{2}(?:\.\d+)?)(?![0-9A-Za-z_.:+-])/y;
const DEC_INT = /^[+-]?(?:0|[1-9](?:_?\d)*)$/;
const PREFIXED_INT = /^0(?:x[0-9A-Fa-f](?:_?[0-9A-Fa-f])*|o[0-7](?:_?[0-7])*|b[01](?:_?[01])*)$/;
const FLOAT = /^[+-]?(?:0|[1-9](?:_?\d)*)(?:\.\d(?:_?\d)*)?(?:[eE][+-]?\d(?:_?\d)*)?$/;
const SPECIAL_FLOAT = /^[+-]?(?:inf|nan)$/;
const RADIX: Record<string, number> = { x: 16, o: 8, b: 2 };
const ESCAPES: Record<string, string> = { b: "\b", t: "\t", n: "\n", f: "\f", r: "\r", '"': '"', "\\": "\\" };
// Control characters other than tab may not appear literally in strings or comments.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

class Parser {
  private i = 0;
  private readonly errors: TomlError[] = [];
  private skipped = false;
  private readonly lineStarts: number[] = [0];
  private readonly root: TomlTable = { kind: "table", origin: "root", entries: new Map(), line: 1, col: 1 };

  constructor(private readonly src: string) {
    for (let k = 0; k < src.length; k++) if (src[k] === "\n") this.lineStarts.push(k + 1);
  }

  document(): TomlParse {
    let current = this.root;
    while (!this.eof()) {
      const start = this.i;
      try {
        current = this.statement(current);
      } catch (e) {
        if (!(e instanceof TomlError)) throw e;
        this.errors.push(e);
        this.skipped = true;
        // Keys under a header that failed to parse must not land in the previous table.
        if (this.startsHeader(start)) current = detachedTable(this.pos(start));
        this.resync(start);
      }
    }
    return { root: this.root, errors: this.errors, complete: !this.skipped };
  }

  // ------------------------------------------------------------ statements

  private statement(current: TomlTable): TomlTable {
    this.skipWs();
    const c = this.peek();
    if (c === "[") {
      current = this.header();
      this.endOfLine("the table header");
      return current;
    }
    if (c !== "#" && !this.atNewline() && !this.eof()) {
      this.keyValue(current);
      this.endOfLine("the value");
    } else this.endOfLine("the line");
    return current;
  }

  private startsHeader(start: number): boolean {
    let k = start;
    while (this.src[k] === " " || this.src[k] === "\t") k++;
    return this.src[k] === "[";
  }

  private endOfLine(what: string): void {
    this.skipWs();
    if (this.peek() === "#") this.comment();
    if (this.eof()) return;
    if (this.atNewline()) return this.newline();
    const at = this.i;
    if (this.src[at] === "\r") throw this.err(at, "carriage return without a line feed", "end lines with \\n or \\r\\n");
    const nl = this.src.indexOf("\n", at);
    const junk = this.src.slice(at, nl < 0 ? undefined : nl).trim();
    throw this.err(at, `unexpected ${quoteSnippet(junk)} after ${what}`,
      "put each key = value (and each [table] header) on its own line; start comments with #");
  }

  private keyValue(table: TomlTable): void {
    const key = this.key();
    this.skipWs();
    if (this.peek() !== "=") {
      const last = key[key.length - 1];
      throw this.err(this.i, `expected "=" after key "${key.map((k) => k.name).join(".")}"`,
        `write ${last.name} = value`);
    }
    this.i++;
    this.skipWs();
    const value = this.value();
    this.assign(table, key, value);
  }

  private header(): TomlTable {
    const open = this.i;
    const isArray = this.src.startsWith("[[", open);
    this.i += isArray ? 2 : 1;
    this.skipWs();
    const key = this.key();
    this.skipWs();
    const close = isArray ? "]]" : "]";
    if (!this.src.startsWith(close, this.i)) {
      throw this.err(this.i, `expected "${close}" to close the table header`,
        `a header is ${isArray ? "[[name]]" : "[name]"} alone on its line`);
    }
    this.i += close.length;
    return isArray ? this.appendTable(key) : this.defineTable(key);
  }

  // ------------------------------------------------------------ tables

  private defineTable(key: KeyPart[]): TomlTable {
    const last = key[key.length - 1];
    const parent = this.walkHeader(key);
    if (!parent) return detachedTable(last);
    const entry = parent.entries.get(last.name);
    if (!entry) return this.addTable(parent, last, "header");
    const v = entry.value;
    if (v.kind === "table" && v.origin === "implicit") {
      v.origin = "header";
      Object.assign(entry, pos(last));
      Object.assign(v, pos(last));
      return v;
    }
    const name = headerName(key);
    if (v.kind === "array" && v.ofTables) {
      this.soft(last, `[${name}] is already an array of tables (line ${entry.line})`,
        `add an element with [[${name}]]`);
    } else if (v.kind === "table") {
      const how = v.origin === "dotted" ? "by dotted keys " : "";
      this.soft(last, `table [${name}] is already defined ${how}at line ${entry.line}, column ${entry.col}`,
        "a table may be defined once; merge the two into one");
    } else {
      this.soft(last, `"${name}" is already ${describeKind(v)} (line ${entry.line}), not a table`,
        "rename the table or the key");
    }
    return detachedTable(last);
  }

  private appendTable(key: KeyPart[]): TomlTable {
    const last = key[key.length - 1];
    const table: TomlTable = { kind: "table", origin: "header", entries: new Map(), ...pos(last) };
    const parent = this.walkHeader(key);
    if (!parent) return table;
    const entry = parent.entries.get(last.name);
    if (!entry) {
      const array: TomlArray = { kind: "array", items: [table], ofTables: true, ...pos(last) };
      parent.entries.set(last.name, { key: last.name, value: array, ...pos(last) });
      return table;
    }
    const v = entry.value;
    if (v.kind === "array" && v.ofTables) {
      v.items.push(table);
      return table;
    }
    const name = headerName(key);
    this.soft(last, `cannot append to "${name}": it is already ${describeKind(v)} (line ${entry.line})`,
      v.kind === "table" ? `use [${name}] for a single table, or [[${name}]] everywhere` : "rename one of them");
    return table;
  }

  // Follows a header's leading key parts, creating implicit tables; an array
  // of tables leads into its last element.
  private walkHeader(key: KeyPart[]): TomlTable | undefined {
    let t = this.root;
    for (const part of key.slice(0, -1)) {
      const entry = t.entries.get(part.name);
      if (!entry) {
        t = this.addTable(t, part, "implicit");
        continue;
      }
      const v = entry.value;
      if (v.kind === "table" && v.origin !== "inline") t = v;
      else if (v.kind === "array" && v.ofTables) t = v.items[v.items.length - 1] as TomlTable;
      else {
        this.soft(part, `cannot define a table inside "${part.name}": it is ${
          v.kind === "table" ? "an inline table" : describeKind(v)} (line ${entry.line})`,
          "inline tables and arrays are complete where they are written; use a [table] instead");
        return undefined;
      }
    }
    return t;
  }

  private assign(table: TomlTable, key: KeyPart[], value: TomlNode): void {
    let t = table;
    for (const part of key.slice(0, -1)) {
      const entry = t.entries.get(part.name);
      if (!entry) {
        t = this.addTable(t, part, "dotted");
        continue;
      }
      const v = entry.value;
      if (v.kind !== "table" || (v.origin !== "dotted" && v.origin !== "implicit")) {
        this.soft(part, `cannot add keys to "${part.name}": it is already ${describeTarget(v)} (line ${entry.line})`,
          "put every key of a table in one place: all in its [header] section, or all as dotted keys");
        return;
      }
      if (v.origin === "implicit") v.origin = "dotted";
      t = v;
    }
    const last = key[key.length - 1];
    const existing = t.entries.get(last.name);
    if (existing) {
      this.soft(last, `duplicate key "${last.name}" (first defined at line ${existing.line}, column ${existing.col})`,
        "remove one of the two definitions");
      return;
    }
    t.entries.set(last.name, { key: last.name, value, ...pos(last) });
  }

  private addTable(parent: TomlTable, part: KeyPart, origin: TableOrigin): TomlTable {
    const table: TomlTable = { kind: "table", origin, entries: new Map(), ...pos(part) };
    parent.entries.set(part.name, { key: part.name, value: table, ...pos(part) });
    return table;
  }

  // ------------------------------------------------------------ keys

  private key(): KeyPart[] {
    const parts = [this.simpleKey()];
    for (;;) {
      this.skipWs();
      if (this.peek() !== ".") return parts;
      this.i++;
      this.skipWs();
      parts.push(this.simpleKey());
    }
  }

  private simpleKey(): KeyPart {
    const at = this.i;
    const c = this.peek();
    if (c === '"' || c === "'") {
      if (this.src.startsWith(c.repeat(3), at)) {
        throw this.err(at, "a multi-line string cannot be a key", `quote the key with a single ${c}`);
      }
      const s = c === '"' ? this.basicString() : this.literalString();
      return { name: s, ...this.pos(at) };
    }
    BARE_KEY.lastIndex = at;
    const m = BARE_KEY.exec(this.src);
    if (!m) {
      const what = this.eof() || this.atNewline() ? "end of line" : quoteSnippet(this.src[at]);
      throw this.err(at, `expected a key, found ${what}`,
        'bare keys use A-Z a-z 0-9 _ -; quote any other key ("like this")');
    }
    this.i += m[0].length;
    return { name: m[0], ...this.pos(at) };
  }

  // ------------------------------------------------------------ values

  private value(): TomlNode {
    const at = this.i;
    const p = this.pos(at);
    const c = this.peek();
    if (c === '"' || c === "'") {
      const multi = this.src.startsWith(c.repeat(3), at);
      const value = c === '"'
        ? (multi ? this.multiBasicString() : this.basicString())
        : (multi ? this.multiLiteralString() : this.literalString());
      return { kind: "string", value, ...p };
    }
    if (c === "[") return this.array();
    if (c === "{") return this.inlineTable();
    if (this.eof() || this.atNewline() || c === "#") {
      throw this.err(at, "missing value", 'write a value after "=", e.g. name = "text"');
    }
    return this.scalar(at);
  }

  private scalar(at: number): TomlNode {
    const p = this.pos(at);
    DATETIME.lastIndex = at;
    const dt = DATETIME.exec(this.src);
    if (dt && validDateTime(dt[0])) {
      this.i += dt[0].length;
      return { kind: "datetime", value: dt[0], ...p };
    }
    BARE_TOKEN.lastIndex = at;
    const m = BARE_TOKEN.exec(this.src);
    if (!m) {
      throw this.err(at, `invalid value starting with ${quoteSnippet(this.src[at])}`,
        'values are "strings", numbers, true/false, [arrays] or { inline = "tables" }');
    }
    const tok = m[0];
    this.i += tok.length;
    if (tok === "true" || tok === "false") return { kind: "boolean", value: tok === "true", ...p };
    if (SPECIAL_FLOAT.test(tok)) return { kind: "float", value: specialFloat(tok), ...p };
    if (DEC_INT.test(tok) || PREFIXED_INT.test(tok)) return { kind: "integer", value: this.integer(tok, at), ...p };
    if (FLOAT.test(tok)) return { kind: "float", value: Number(tok.replace(/_/g, "")), ...p };
    throw this.err(at, `invalid value ${tok}`, numberHint(tok));
  }

  private integer(tok: string, at: number): number {
    const digits = tok.replace(/_/g, "");
    const radix = RADIX[digits[1]];
    const big = radix ? BigInt(`0${digits[1]}${digits.slice(2)}`) : BigInt(digits);
    if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < -BigInt(Number.MAX_SAFE_INTEGER)) {
      throw this.err(at, `integer ${tok} is too large`, `integers must lie within ±${Number.MAX_SAFE_INTEGER}`);
    }
    return Number(big);
  }

  private array(): TomlArray {
    const open = this.i;
    const node: TomlArray = { kind: "array", items: [], ofTables: false, ...this.pos(open) };
    this.i++;
    for (;;) {
      this.skipArrayBlank(open);
      if (this.peek() === "]") break;
      node.items.push(this.value());
      this.skipArrayBlank(open);
      if (this.peek() === ",") {
        this.i++;
        continue;
      }
      if (this.peek() === "]") break;
      throw this.err(this.i, `expected "," or "]" in the array, found ${quoteSnippet(this.src[this.i])}`,
        "separate array items with commas");
    }
    this.i++;
    return node;
  }

  // An array left open is noticed where the next statement begins, and
  // reported at its opening bracket rather than as a strange item.
  private skipArrayBlank(open: number): void {
    const before = this.i;
    this.skipBlank();
    const lineStart = this.lineStarts[this.pos(this.i).line - 1];
    const statement = lineStart > before && STATEMENT_IN_ARRAY.test(this.src.slice(lineStart, this.lineEnd(lineStart)));
    if (this.eof() || statement) {
      if (statement) this.i = lineStart;
      throw this.err(open, "unterminated array", "close the array with ]");
    }
  }

  private inlineTable(): TomlTable {
    const open = this.i;
    const node: TomlTable = { kind: "table", origin: "inline", entries: new Map(), ...this.pos(open) };
    this.i++;
    this.skipWs();
    if (this.peek() === "}") {
      this.i++;
      return node;
    }
    for (;;) {
      this.skipWs();
      const key = this.key();
      this.skipWs();
      if (this.peek() !== "=") throw this.err(this.i, `expected "=" after key "${key.map((k) => k.name).join(".")}"`,
        "inline tables hold key = value pairs separated by commas");
      this.i++;
      this.skipWs();
      this.assign(node, key, this.value());
      this.skipWs();
      const c = this.peek();
      if (c === "}") break;
      if (c !== ",") {
        const onOneLine = this.eof() || this.atNewline();
        throw this.err(onOneLine ? open : this.i,
          onOneLine ? "unterminated inline table" : `expected "," or "}" in the inline table, found ${quoteSnippet(c)}`,
          onOneLine ? "an inline table must close with } on the same line; use a [table] to span lines"
            : "separate the pairs of an inline table with commas");
      }
      this.i++;
      this.skipWs();
      if (this.peek() === "}") throw this.err(this.i, "trailing comma in an inline table",
        "remove the comma before }");
    }
    this.i++;
    return node;
  }

  // ------------------------------------------------------------ strings

  private basicString(): string {
    const open = this.i;
    this.i++;
    let out = "";
    for (;;) {
      const c = this.src[this.i];
      if (c === undefined || c === "\n" || (c === "\r" && this.src[this.i + 1] === "\n")) {
        throw this.err(open, "unterminated string", 'close the string with " on the same line, or use """ for a string that spans lines');
      }
      if (c === '"') break;
      if (c === "\\") out += this.escape(false);
      else out += this.plainChar();
    }
    this.i++;
    return out;
  }

  private multiBasicString(): string {
    const open = this.i;
    this.i += 3;
    this.skipFirstNewline();
    let out = "";
    for (;;) {
      if (this.eof()) throw this.err(open, 'unterminated multi-line string', 'close it with """');
      if (this.src.startsWith('"""', this.i)) {
        const run = this.quoteRun('"');
        out += '"'.repeat(run - 3);
        this.i += run;
        return out;
      }
      const c = this.src[this.i];
      if (c === "\\") out += this.escape(true);
      else if (this.atNewline()) out += this.takeNewline();
      else out += this.plainChar();
    }
  }

  private literalString(): string {
    const open = this.i;
    const end = this.src.indexOf("'", open + 1);
    const nl = this.src.indexOf("\n", open + 1);
    if (end < 0 || (nl >= 0 && nl < end)) {
      throw this.err(open, "unterminated string", "close the string with ' on the same line, or use ''' for a string that spans lines");
    }
    this.i++;
    while (this.i < end) this.plainChar();
    this.i = end + 1;
    return this.src.slice(open + 1, end);
  }

  private multiLiteralString(): string {
    const open = this.i;
    this.i += 3;
    this.skipFirstNewline();
    let out = "";
    for (;;) {
      if (this.eof()) throw this.err(open, "unterminated multi-line string", "close it with '''");
      if (this.src.startsWith("'''", this.i)) {
        const run = this.quoteRun("'");
        out += "'".repeat(run - 3);
        this.i += run;
        return out;
      }
      out += this.atNewline() ? this.takeNewline() : this.plainChar();
    }
  }

  // Up to two quotes may sit right before the closing delimiter and belong to the content.
  private quoteRun(q: string): number {
    let n = 0;
    while (this.src[this.i + n] === q && n < 5) n++;
    return n;
  }

  private skipFirstNewline(): void {
    if (this.atNewline()) this.takeNewline();
  }

  private plainChar(): string {
    const cp = this.src.codePointAt(this.i)!;
    const ch = String.fromCodePoint(cp);
    if (CONTROL.test(ch)) {
      this.soft(this.pos(this.i), `control character U+${hex4(cp)} in a string`,
        "write it as an escape, e.g. \\u001B, or remove it");
    }
    this.i += ch.length;
    return ch;
  }

  private escape(multiline: boolean): string {
    const at = this.i;
    const c = this.src[at + 1];
    if (multiline && this.lineEndingBackslash()) return "";
    if (c !== undefined && c in ESCAPES) {
      this.i += 2;
      return ESCAPES[c];
    }
    if (c === "u" || c === "U") return this.unicodeEscape(at, c === "u" ? 4 : 8);
    this.i += c === undefined || c === "\n" ? 1 : 2;
    this.soft(this.pos(at), `invalid escape sequence \\${c === undefined || c === "\n" ? "" : c}`,
      'valid escapes: \\b \\t \\n \\f \\r \\" \\\\ \\uXXXX \\UXXXXXXXX; for a literal backslash write \\\\ or use a \'literal string\'');
    return "";
  }

  // A backslash ending a line in """ strings swallows the newline and the
  // whitespace up to the next non-blank character.
  private lineEndingBackslash(): boolean {
    let k = this.i + 1;
    while (this.src[k] === " " || this.src[k] === "\t") k++;
    if (!(this.src[k] === "\n" || (this.src[k] === "\r" && this.src[k + 1] === "\n"))) return false;
    while (/[ \t\r\n]/.test(this.src[k] ?? "")) k++;
    this.i = k;
    return true;
  }

  private unicodeEscape(at: number, n: number): string {
    const digits = this.src.slice(at + 2, at + 2 + n);
    const cp = /^[0-9A-Fa-f]+$/.test(digits) && digits.length === n ? parseInt(digits, 16) : -1;
    const scalar = cp >= 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
    if (!scalar) {
      this.i += 2;
      this.soft(this.pos(at), `invalid unicode escape \\${this.src[at + 1]}${digits}`,
        `\\${this.src[at + 1]} takes exactly ${n} hex digits naming a Unicode scalar value`);
      return "";
    }
    this.i = at + 2 + n;
    return String.fromCodePoint(cp);
  }

  // ------------------------------------------------------------ lexing

  private comment(): void {
    this.i++;
    while (!this.eof() && !this.atNewline()) {
      const cp = this.src.codePointAt(this.i)!;
      if (CONTROL.test(String.fromCodePoint(cp)) && this.src[this.i] !== "\r") {
        this.soft(this.pos(this.i), `control character U+${hex4(cp)} in a comment`, "remove it");
      }
      if (this.src[this.i] === "\r") {
        throw this.err(this.i, "carriage return without a line feed", "end lines with \\n or \\r\\n");
      }
      this.i += cp > 0xffff ? 2 : 1;
    }
  }

  private skipWs(): void {
    while (this.src[this.i] === " " || this.src[this.i] === "\t") this.i++;
  }

  // Inside arrays: whitespace, newlines and comments.
  private skipBlank(): void {
    for (;;) {
      this.skipWs();
      if (this.peek() === "#") this.comment();
      else if (this.atNewline()) this.newline();
      else return;
    }
  }

  private atNewline(): boolean {
    const c = this.src[this.i];
    return c === "\n" || (c === "\r" && this.src[this.i + 1] === "\n");
  }

  private newline(): void {
    this.i += this.src[this.i] === "\r" ? 2 : 1;
  }

  private takeNewline(): string {
    const crlf = this.src[this.i] === "\r";
    this.newline();
    return crlf ? "\r\n" : "\n";
  }

  private peek(): string | undefined {
    return this.src[this.i];
  }

  private eof(): boolean {
    return this.i >= this.src.length;
  }

  // Skips to the next line that can start a statement.
  // Skips to the next line after `failed` (where the failed statement began)
  // that can start a statement; the line the parser stopped at counts if the
  // error left it at that line's start.
  private resync(failed: number): void {
    let start = this.lineStarts[this.pos(this.i).line - 1];
    if (start !== this.i || start <= failed) start = this.lineEnd(this.i) + 1;
    while (start < this.src.length) {
      const end = this.lineEnd(start);
      if (SYNC_LINE.test(this.src.slice(start, end))) {
        this.i = start;
        return;
      }
      start = end + 1;
    }
    this.i = this.src.length;
  }

  private lineEnd(from: number): number {
    const nl = this.src.indexOf("\n", from);
    return nl < 0 ? this.src.length : nl;
  }

  // ------------------------------------------------------------ positions and errors

  private pos(offset: number): Position {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    const start = this.lineStarts[lo];
    return { line: lo + 1, col: countCodePoints(this.src, start, offset) + 1 };
  }

  private err(offset: number, message: string, hint: string): TomlError {
    const p = this.pos(offset);
    return new TomlError(message, p.line, p.col, hint);
  }

  // Errors that leave the parse position meaningful: record and carry on.
  private soft(p: Position, message: string, hint: string): void {
    this.errors.push(new TomlError(message, p.line, p.col, hint));
  }
}

function pos(p: Position): Position {
  return { line: p.line, col: p.col };
}

function detachedTable(p: Position): TomlTable {
  return { kind: "table", origin: "header", entries: new Map(), ...pos(p) };
}

function headerName(key: KeyPart[]): string {
  return key.map((k) => (/^[A-Za-z0-9_-]+$/.test(k.name) ? k.name : JSON.stringify(k.name))).join(".");
}

function describeTarget(v: TomlNode): string {
  if (v.kind !== "table") return describeKind(v);
  if (v.origin === "inline") return "an inline table";
  return "a table defined by its [header]";
}

function countCodePoints(s: string, from: number, to: number): number {
  let n = 0;
  for (let k = from; k < to; k++) {
    const c = s.charCodeAt(k);
    if (c < 0xdc00 || c > 0xdfff || k === from) n++;
  }
  return n;
}

function quoteSnippet(s: string | undefined): string {
  if (s === undefined || s === "") return "end of input";
  const cut = s.length > 20 ? `${s.slice(0, 20)}...` : s;
  return JSON.stringify(cut);
}

function hex4(cp: number): string {
  return cp.toString(16).toUpperCase().padStart(4, "0");
}

function specialFloat(tok: string): number {
  if (tok.endsWith("nan")) return NaN;
  return tok.startsWith("-") ? -Infinity : Infinity;
}

function numberHint(tok: string): string {
  if (/^[+-]?0\d/.test(tok)) return "leading zeros are not allowed in decimal numbers";
  if (/_(?![0-9A-Fa-f])|(?<![0-9A-Fa-f])_/.test(tok)) return "an underscore must sit between two digits";
  if (/^[+-]0[xob]/.test(tok)) return "hexadecimal, octal and binary integers take no sign";
  if (/[A-Za-z]/.test(tok) && !/^0[xob]/.test(tok)) return `strings must be quoted: "${tok}"`;
  return "numbers are like 42, -7, 0x2A, 1_000, 3.14 or 1e6";
}

function validDateTime(s: string): boolean {
  const d = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
  if (d && !(+d[3] >= 1 && +d[3] <= daysInMonth(+d[1], +d[2]))) return false;
  const t = /(\d{2}):(\d{2}):(\d{2})/.exec(d ? s.slice(10) : s);
  if (t && !(+t[1] < 24 && +t[2] < 60 && +t[3] <= 60)) return false;
  const z = /[+-](\d{2}):(\d{2})$/.exec(d ? s.slice(10) : "");
  return !z || (+z[1] < 24 && +z[2] < 60);
}

function daysInMonth(year: number, month: number): number {
  if (month < 1 || month > 12) return 0;
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
