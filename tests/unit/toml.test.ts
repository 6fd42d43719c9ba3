import { describe, expect, it } from "vitest";
import { parseToml, parseTomlPartial, toPlain, TomlError, type TomlNode, type TomlTable } from "../../tools/lib/toml";

function plain(text: string): unknown {
  return toPlain(parseToml(text));
}

function errorOf(text: string): TomlError {
  try {
    parseToml(text);
  } catch (e) {
    if (e instanceof TomlError) return e;
    throw e;
  }
  throw new Error("the document was accepted");
}

function where(e: TomlError): [number, number, string] {
  return [e.line, e.column, e.message];
}

function at(root: TomlTable, ...path: string[]): TomlNode {
  let node: TomlNode = root;
  for (const k of path) {
    if (node.kind !== "table") throw new Error(`${k}: not a table`);
    node = node.entries.get(k)!.value;
  }
  return node;
}

describe("values", () => {
  it("strings: basic with escapes, literal, multi-line", () => {
    expect(plain([
      'a = "tab\\there \\"q\\" \\\\ \\u00e9 \\U0001F600"',
      "b = 'C:\\no\\escapes'",
      'c = """',
      "first",
      "second \\",
      "     third\"\"\"",
      "d = '''",
      "raw \\n '' lines'''",
      'e = """ends with quotes"""""',
      "f = ''''quoted''''",
      'g = ""',
    ].join("\n"))).toEqual({
      a: 'tab\there "q" \\ é 😀',
      b: "C:\\no\\escapes",
      c: "first\nsecond third",
      d: "raw \\n '' lines",
      e: 'ends with quotes""',
      f: "'quoted'",
      g: "",
    });
  });

  it("integers in every base, with underscores", () => {
    expect(plain("a = 42\nb = -17\nc = +3\nd = 1_000_000\ne = 0xDEAD_beef\nf = 0o755\ng = 0b1101\nh = 0\n"))
      .toEqual({ a: 42, b: -17, c: 3, d: 1_000_000, e: 0xdeadbeef, f: 0o755, g: 13, h: 0 });
  });

  it("floats, infinities and NaN", () => {
    const v = plain("a = 3.14\nb = -0.5\nc = 1e6\nd = 6.02E+23\ne = 1_0.0_1\nf = inf\ng = -inf\nh = nan\n") as Record<string, number>;
    expect(v).toMatchObject({ a: 3.14, b: -0.5, c: 1e6, d: 6.02e23, e: 10.01, f: Infinity, g: -Infinity });
    expect(Number.isNaN(v.h)).toBe(true);
    expect(parseToml("x = 1.0").entries.get("x")!.value.kind).toBe("float");
    expect(parseToml("x = 1").entries.get("x")!.value.kind).toBe("integer");
  });

  it("booleans and date-times", () => {
    expect(plain("t = true\nf = false\nd = 1979-05-27T07:32:00Z\ns = 1979-05-27 07:32:00\nl = 07:32:00\n"))
      .toEqual({ t: true, f: false, d: "1979-05-27T07:32:00Z", s: "1979-05-27 07:32:00", l: "07:32:00" });
  });

  it("arrays: nested, mixed, multi-line with comments and a trailing comma", () => {
    expect(plain([
      "a = [1, 2, 3]",
      "b = [ [1, 2], ['x'], [] ]",
      "c = [",
      '  "one",   # first',
      "  # between",
      '  "two",',
      "]",
      "d = [1, 'mixed', { k = true }]",
    ].join("\n"))).toEqual({ a: [1, 2, 3], b: [[1, 2], ["x"], []], c: ["one", "two"], d: [1, "mixed", { k: true }] });
  });

  it("inline tables, with dotted keys inside", () => {
    expect(plain('p = { x = 1, y.z = "a", y.w = 2 }\ne = {}\n')).toEqual({ p: { x: 1, y: { z: "a", w: 2 } }, e: {} });
  });
});

describe("keys and tables", () => {
  it("bare, quoted and dotted keys", () => {
    expect(plain([
      "bare-key_1 = 1",
      '"quoted key" = 2',
      "'literal.key' = 3",
      'site."google.com".ok = true',
      "a . b = 4",
      "1234 = 5",
    ].join("\n"))).toEqual({
      "bare-key_1": 1, "quoted key": 2, "literal.key": 3, site: { "google.com": { ok: true } }, a: { b: 4 }, 1234: 5,
    });
  });

  it("headers, implicit parents defined later, and sub-tables of dotted tables", () => {
    expect(plain([
      "[x.y.z]",
      "v = 1",
      "[x]",
      "w = 2",
      "[fruit]",
      'apple.color = "red"',
      "[fruit.apple.texture]",
      'smooth = true',
    ].join("\n"))).toEqual({ x: { y: { z: { v: 1 } }, w: 2 }, fruit: { apple: { color: "red", texture: { smooth: true } } } });
  });

  it("arrays of tables and their sub-tables", () => {
    expect(plain([
      "[[fruit]]",
      'name = "apple"',
      "[fruit.physical]",
      'color = "red"',
      "[[fruit.variety]]",
      'name = "delicious"',
      "[[fruit]]",
      'name = "banana"',
    ].join("\n"))).toEqual({
      fruit: [{ name: "apple", physical: { color: "red" }, variety: [{ name: "delicious" }] }, { name: "banana" }],
    });
  });

  it("keep the order in which entries first appear", () => {
    const root = parseToml("[service.b]\n[service.a]\n[service.c]\n");
    expect([...(at(root, "service") as TomlTable).entries.keys()]).toEqual(["b", "a", "c"]);
  });

  it("accept CRLF line ends and comments everywhere", () => {
    expect(plain("# top\r\n[t] # header\r\na = 1 # value\r\nb = [\r\n 2, # item\r\n]\r\n")).toEqual({ t: { a: 1, b: [2] } });
  });
});

describe("positions", () => {
  const root = parseToml([
    "# comment",
    "[service.log]",
    'module   =   "../userland/log"',
    'caps = ["console", "echo:call"]',
    "  nested.deep = { x = 1 }",
  ].join("\n"));

  it("of keys and values are 1-based line and column", () => {
    const service = root.entries.get("service")!;
    expect([service.line, service.col]).toEqual([2, 2]);
    const log = (service.value as TomlTable).entries.get("log")!;
    expect([log.line, log.col, log.value.line, log.value.col]).toEqual([2, 10, 2, 10]);
    const module = (log.value as TomlTable).entries.get("module")!;
    expect([module.line, module.col, module.value.line, module.value.col]).toEqual([3, 1, 3, 14]);
  });

  it("of array items and inline tables", () => {
    const caps = at(root, "service", "log", "caps");
    expect(caps.kind === "array" && caps.items.map((i) => [i.line, i.col])).toEqual([[4, 9], [4, 20]]);
    const nested = (at(root, "service", "log") as TomlTable).entries.get("nested")!;
    expect([nested.line, nested.col]).toEqual([5, 3]);
    const deep = (nested.value as TomlTable).entries.get("deep")!;
    expect([deep.line, deep.col, deep.value.line, deep.value.col]).toEqual([5, 10, 5, 17]);
  });

  it("count code points, not bytes or UTF-16 units", () => {
    const r = parseToml('"😀é" = "x"\nk = 1');
    const e = r.entries.get("😀é")!;
    expect([e.line, e.col, e.value.col]).toEqual([1, 1, 8]);
    expect(errorOf('a = "😀😀" x').column).toBe(10);
  });

  it("move a table defined after its implicit creation to its header", () => {
    const r = parseToml("[a.b]\n\n[a]\n");
    const a = r.entries.get("a")!;
    expect([a.line, a.col, a.value.line]).toEqual([3, 2, 3]);
  });
});

describe("syntax errors", () => {
  it.each([
    ["a = 1\na = 2", 2, 1, 'duplicate key "a" (first defined at line 1, column 1)'],
    ["[t]\nx = 1\n[t]", 3, 2, "table [t] is already defined at line 1, column 2"],
    ['s = "open', 1, 5, "unterminated string"],
    ["s = 'open", 1, 5, "unterminated string"],
    ['s = """never closed\n\n', 1, 5, "unterminated multi-line string"],
    ['s = "bad \\q"', 1, 10, "invalid escape sequence \\q"],
    ['s = "\\uD800"', 1, 6, "invalid unicode escape \\uD800"],
    ["a = 1 2", 1, 7, 'unexpected "2" after the value'],
    ["[t] x = 1", 1, 5, 'unexpected "x = 1" after the table header'],
    ["a = ", 1, 5, "missing value"],
    ["a = always", 1, 5, "invalid value always"],
    ["a = 012", 1, 5, "invalid value 012"],
    ["a = 1__0", 1, 5, "invalid value 1__0"],
    ["a = [1, 2", 1, 5, "unterminated array"],
    ["a = [1 2]", 1, 8, 'expected "," or "]" in the array, found "2"'],
    ["a = { x = 1, }", 1, 14, "trailing comma in an inline table"],
    ["a = { x = 1\n}", 1, 5, "unterminated inline table"],
    ["a = { x = 1 }\na.y = 2", 2, 1, 'cannot add keys to "a": it is already an inline table (line 1)'],
    ["[a.b]\nz = 1\n[a]\nb.y = 2", 4, 1, 'cannot add keys to "b": it is already a table defined by its [header] (line 1)'],
    ["[fruit]\napple.color = 1\n[fruit.apple]", 3, 8, "table [fruit.apple] is already defined by dotted keys at line 2, column 1"],
    ["a = [1]\n[a.b]", 2, 2, 'cannot define a table inside "a": it is an array (line 1)'],
    ["[[a]]\n[a]", 2, 2, "[a] is already an array of tables (line 1)"],
    ["[a]\n[[a]]", 2, 3, 'cannot append to "a": it is already a table (line 1)'],
    ["[a", 1, 3, 'expected "]" to close the table header'],
    ["= 1", 1, 1, 'expected a key, found "="'],
    ["key 1", 1, 5, 'expected "=" after key "key"'],
    ['"""k""" = 1', 1, 1, "a multi-line string cannot be a key"],
    ["a = 99999999999999999999", 1, 5, "integer 99999999999999999999 is too large"],
    ["a = 1\rb = 2", 1, 6, "carriage return without a line feed"],
  ])("%j -> %i:%i %s", (text, line, col, message) => {
    const e = errorOf(text);
    expect(where(e)).toEqual([line, col, message]);
    expect(e.hint).not.toBe("");
  });

  it("carry a hint on how to fix them", () => {
    expect(errorOf("restart = always").hint).toBe('strings must be quoted: "always"');
    expect(errorOf("a = 012").hint).toBe("leading zeros are not allowed in decimal numbers");
    expect(errorOf('a = "x').hint).toBe('close the string with " on the same line, or use """ for a string that spans lines');
  });

  it("are all collected, and parsing resumes at the next statement", () => {
    const e = errorOf([
      'a = "unterminated',
      "b = 1",
      "b = 2",
      "c = [1,",
      "  2 3,",
      "  4]",
      'd = "bad \\x escape" junk',
      "[t",
      "e = 1",
      "[u]",
      "e = 1",
      "e = 2",
    ].join("\n"));
    expect(e.errors.map(where)).toEqual([
      [1, 5, "unterminated string"],
      [3, 1, 'duplicate key "b" (first defined at line 2, column 1)'],
      [5, 5, 'expected "," or "]" in the array, found "3"'],
      [7, 10, "invalid escape sequence \\x"],
      [7, 21, 'unexpected "junk" after the value'],
      [8, 3, 'expected "]" to close the table header'],
      [12, 1, 'duplicate key "e" (first defined at line 11, column 1)'],
    ]);
    expect(e.errors[0]).toBe(e);
    expect(e).toBeInstanceOf(Error);
  });

  it("that skip nothing leave the tree complete", () => {
    const ok = parseTomlPartial("a = 1\na = 2\n[t]\n[t]\nb = 1");
    expect(ok.complete).toBe(true);
    expect(ok.errors).toHaveLength(2);
    expect(toPlain(ok.root)).toEqual({ a: 1, t: {} });
    const broken = parseTomlPartial('a = "x\nb = 1');
    expect(broken.complete).toBe(false);
    expect(toPlain(broken.root)).toEqual({ b: 1 });
  });
});

describe("an array left open", () => {
  it("is reported at its bracket, and the next statement is still read", () => {
    const e = errorOf('requires = ["log"\ncaps = ["console"\n[service.echo]\nmodule = 1\nmodule = 2\n');
    expect(e.errors.map(where)).toEqual([
      [1, 12, "unterminated array"],
      [2, 8, "unterminated array"],
      [5, 1, 'duplicate key "module" (first defined at line 4, column 1)'],
    ]);
    expect(e.hint).toBe("close the array with ]");
  });

  it("is not confused with rows that are nested arrays", () => {
    expect(plain("a = [\n  [true],\n  [1]\n]\nb = [\n  [inf]\n]\n")).toEqual({ a: [[true], [1]], b: [[Infinity]] });
  });
});
