// The entropy pool's building blocks, run as the service runs them (the
// AssemblyScript compiled for a service, tests/harness/entropy.ts): the
// health tests' cutoffs against SP 800-90B, the tests themselves on stuck,
// biased and good input, and SHA-256, HMAC-SHA-256 and HMAC_DRBG against
// published known answers and node:crypto.
import { beforeAll, describe, expect, it } from "vitest";
import { createHash, createHmac, randomBytes } from "node:crypto";
import fc from "fast-check";
import { entropyCode, type EntropyCode } from "../harness/entropy";

let c: EntropyCode;
beforeAll(async () => { c = await entropyCode(); });

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const unhex = (s: string) => new Uint8Array(Buffer.from(s, "hex"));
const utf8 = (s: string) => new TextEncoder().encode(s);
const OUT = 1 << 19; // scratch offset for results, clear of every input

function sha256(msg: Uint8Array): string {
  const out = c.scratch() + OUT;
  c.sha256(c.put(msg), msg.length, out);
  return hex(c.get(out, 32));
}

function hmac(key: Uint8Array, msg: Uint8Array): string {
  const out = c.scratch() + OUT;
  const k = c.put(key);
  c.hmac(k, key.length, c.put(msg, 4096), msg.length, out);
  return hex(c.get(out, 32));
}

describe("health-test cutoffs (SP 800-90B 4.4, alpha = 2^-20)", () => {
  it("match the issue's figures for H = 0.5 and W = 512: repetition 41, proportion 410", () => {
    expect(c.aptWindow(0)).toBe(512);
    expect(c.rctCutoff(20, 0.5)).toBe(41);
    expect(c.aptCutoff(20, 0.5, 512)).toBe(410);
  });

  it("match SP 800-90B's tables for other entropies and for binary sources", () => {
    // RCT: C = 1 + ceil(20 / H).
    expect([1, 2, 4, 8].map((h) => c.rctCutoff(20, h))).toEqual([21, 11, 6, 4]);
    // APT, non-binary (W = 512): 90B Table 2.
    expect([1, 2, 4, 8].map((h) => c.aptCutoff(20, h, 512))).toEqual([311, 177, 62, 13]);
    // APT, binary (W = 1024): H = 1 gives 589 (Table 2); H = 0.5 gives 793.
    expect(c.aptWindow(1)).toBe(1024);
    expect(c.aptCutoff(20, 1, 1024)).toBe(589);
    expect(c.aptCutoff(20, 0.5, 1024)).toBe(793);
  });

  it("agree with an exact binomial tail computed in TypeScript", () => {
    // The smallest k with P(X > k) <= alpha, X ~ Binomial(n, p), from exact pmf terms.
    const crit = (n: number, p: number, alpha: number): number => {
      const pmf: number[] = [];
      let logC = 0;
      for (let k = 0; k <= n; k++) {
        pmf.push(Math.exp(logC + k * Math.log(p) + (n - k) * Math.log1p(-p)));
        logC += Math.log((n - k) / (k + 1));
      }
      let tail = 0;
      for (let k = n; k >= 0; k--) {
        if (tail > alpha) return k + 1;
        tail += pmf[k];
      }
      return 0;
    };
    for (const h of [0.25, 0.5, 0.75, 1, 1.5, 3, 6]) {
      for (const w of [512, 1024]) expect(c.aptCutoff(20, h, w), `H=${h} W=${w}`).toBe(1 + crit(w, 2 ** -h, 2 ** -20));
    }
  });
});

describe("health tests", () => {
  let source = 0;
  // A fresh source slot per test, H = 0.5 per 32-bit sample, non-binary.
  const fresh = (): number => { const s = source++ % 8; c.healthConfigure(s, 20, 0.5, 0); return s; };
  const words = (xs: ArrayLike<number>): number => {
    const p = c.put(new Uint8Array(new Uint32Array(Array.from(xs)).buffer));
    return p;
  };
  const feed = (s: number, xs: ArrayLike<number>): number => c.healthFeedMany(s, words(xs), xs.length);
  const random = (n: number) => new Uint32Array(randomBytes(4 * n).buffer);

  it("a new source counts only after the start-up test: two passed windows, 1024 samples", () => {
    const s = fresh();
    expect(feed(s, random(1023))).toBe(0);
    expect(c.healthIsHealthy(s)).toBe(0);
    expect(c.healthFeed(s, random(1)[0])).toBe(1);
    expect(feed(s, random(4096))).toBe(4096);
    expect([c.healthRctFailures(s), c.healthAptFailures(s)]).toEqual([0, 0]);
  });

  it("the repetition count test fails on the 41st identical sample, and again every 40 after", () => {
    const s = fresh();
    feed(s, random(1024));
    const stuck = new Uint32Array(41 + 80).fill(0xdeadbeef);
    expect(feed(s, stuck.subarray(0, 40))).toBe(40);
    expect(c.healthFeed(s, 0xdeadbeef)).toBe(0);
    expect(c.healthRctFailures(s)).toBe(1);
    feed(s, stuck.subarray(0, 80));
    expect(c.healthRctFailures(s)).toBe(3);
    expect(c.healthAptFailures(s)).toBe(0);
  });

  it("the adaptive proportion test fails when the window's first value fills 410 of 512", () => {
    const s = fresh();
    feed(s, random(1024)); // start-up: the next window starts here
    // 409 copies of the first value, interleaved with others so no run reaches 41.
    const w = Array.from(random(512));
    for (let i = 0; i < 409; i++) w[Math.floor((i * 512) / 409)] = 7;
    expect(w.filter((x) => x === 7).length).toBe(409);
    w[0] = 7;
    feed(s, w);
    expect(c.healthAptFailures(s)).toBe(0);
    expect(c.healthIsHealthy(s)).toBe(1);
    const w2 = Array.from(w);
    w2[511] = 7; // the 410th
    expect(w2.filter((x) => x === 7).length).toBe(410);
    feed(s, w2);
    expect(c.healthAptFailures(s)).toBe(1);
    expect(c.healthRctFailures(s)).toBe(0);
    expect(c.healthIsHealthy(s)).toBe(0);
  });

  it("a failed source comes back only after a whole window passes with no failure", () => {
    const s = fresh();
    feed(s, random(1024)); // windows now start at multiples of 512
    feed(s, random(100));
    feed(s, new Uint32Array(41).fill(5)); // fails inside the window of samples 0..511
    expect(c.healthIsHealthy(s)).toBe(0);
    // That window ends 512 - 141 samples later, still failed; the next one must pass whole.
    expect(feed(s, random(512 - 141))).toBe(0);
    expect(feed(s, random(511))).toBe(0);
    expect(c.healthFeed(s, 1)).toBe(1);
    expect(c.healthIsHealthy(s)).toBe(1);
  });
});

describe("SHA-256 (FIPS 180-4)", () => {
  it("gives the published digests", () => {
    expect(sha256(utf8(""))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(sha256(utf8("abc"))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha256(utf8("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")))
      .toBe("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    expect(sha256(utf8("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu")))
      .toBe("cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    expect(sha256(new Uint8Array(1_000_000).fill(0x61))).toBe("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  });

  it("agrees with node:crypto for any message, fed whole, in pieces or as words", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 70 }), (msg, step) => {
      const want = createHash("sha256").update(msg).digest("hex");
      expect(sha256(msg)).toBe(want);
      const out = c.scratch() + OUT;
      c.sha256Pieces(c.put(msg), msg.length, step, out);
      expect(hex(c.get(out, 32))).toBe(want);
      const whole = msg.subarray(0, msg.length & ~3);
      c.sha256Words(c.put(whole), whole.length / 4, out);
      expect(hex(c.get(out, 32))).toBe(createHash("sha256").update(whole).digest("hex"));
    }), { numRuns: 300 });
  });
});

describe("HMAC-SHA-256 (RFC 4231)", () => {
  it("gives the RFC's test-case MACs", () => {
    expect(hmac(new Uint8Array(20).fill(0x0b), utf8("Hi There")))
      .toBe("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    expect(hmac(utf8("Jefe"), utf8("what do ya want for nothing?")))
      .toBe("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    expect(hmac(new Uint8Array(131).fill(0xaa), utf8("Test Using Larger Than Block-Size Key - Hash Key First")))
      .toBe("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  });

  it("agrees with node:crypto for any key and message", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 150 }), fc.uint8Array({ maxLength: 200 }), (key, msg) => {
      expect(hmac(key, msg)).toBe(createHmac("sha256", key).update(msg).digest("hex"));
    }), { numRuns: 200 });
  });
});

describe("HMAC_DRBG with SHA-256 (SP 800-90A 10.1.2)", () => {
  const generate = (n: number): string => {
    const out = c.scratch() + OUT;
    expect(c.drbgGenerate(out, n)).toBe(1);
    return hex(c.get(out, n));
  };
  const seed = (parts: string[]): [number, number] => {
    const bytes = unhex(parts.join(""));
    return [c.put(bytes), bytes.length];
  };

  it("reproduces the CAVP known answer with a reseed (SHA-256, no prediction resistance, 1024 bits)", () => {
    c.drbgNew();
    c.drbgInstantiate(...seed(["06032cd5eed33f39265f49ecb142c511da9aff2af71203bffaf34a9ca5bd9c0d", "0e66f71edc43e42a45ad3c6fc6cdc4df"]));
    c.drbgReseed(...seed(["01920a4e669ed3a85ae8a33b35a74ad7fb2a6bb4cf395ce00334a9c9a5a5d552"]));
    generate(128);
    expect(generate(128)).toBe(
      "76fc79fe9b50beccc991a11b5635783a83536add03c157fb30645e611c2898bb2b1bc215000209208cd506cb28da2a51bdb03826aaf2bd233" +
      "5d576d519160842e7158ad0949d1a9ec3e66ea1b1a064b005de914eac2e9d4f2d72a8616a80225422918250ff66a41bd2f864a6a38cc5b6" +
      "499dc43f7f2bd09e1e0f8f5885935124");
  });

  it("reproduces the CAVP known answer with reseeds carrying additional input", () => {
    c.drbgNew();
    c.drbgInstantiate(...seed(["6c1f4bffc476e488fb57eb80dc106cf2b417bad22b196baa6346958256db490f", "5f1b92223e3909e43677da2f588a6d19"]));
    c.drbgReseed(...seed(["abaca65695bd5d289880453850fc8289b76f78b43f970ed32f4125a941165515",
      "e6cd940610375e504fa80406120b34d498b022393436e910c0ba2560603fd066"]));
    generate(32);
    c.drbgReseed(...seed(["4a39b666cf861816d7d82ef6e23f70f149d74d9bd499eea19b622e751c43d839",
      "d20082c5bdf6f6711af391e7d01046b9d3610827de63aa2671a5f5ad07b90841"]));
    expect(generate(32)).toBe("d3c36e4ae25ff21a95a157a89f13eb976362a695ea755f0465ed4a7bb20c5cb3");
  });

  it("refuses to generate before it is seeded, and past the largest request", () => {
    c.drbgNew();
    const out = c.scratch() + OUT;
    expect(c.drbgGenerate(out, 16)).toBe(0);
    c.drbgInstantiate(...seed(["00".repeat(48)]));
    expect(c.drbgGenerate(out, 65536)).toBe(1);
    expect(c.drbgGenerate(out, 65537)).toBe(0);
  });
});
