/**
 * Seeded, stateless randomness: every value is a hash of (seed, what, index), so a region or a store can be
 * generated on demand from its index alone and two runs with the same seed agree byte for byte.
 */

// Module-level copies: global lookups are slow inside Jest's vm sandbox, and these run millions of times.
const imul = Math.imul;
const floor = Math.floor;

/** 32-bit avalanche mix (murmur3 finalizer). */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Unsigned 32-bit hash of a seed and any number of small integers. */
export function hash32(seed: number, ...parts: number[]): number {
  let h = mix32(seed ^ 0x9e3779b9);
  for (const p of parts) {
    h = mix32(h ^ imul(p | 0, 0x27d4eb2d) ^ floor(p / 0x100000000));
  }
  return h;
}

/** `hash32(seed, a, b)` without the rest-array, for loops over a million regions. */
export function hash3(seed: number, a: number, b: number): number {
  let h = mix32(seed ^ 0x9e3779b9);
  h = mix32(h ^ imul(a | 0, 0x27d4eb2d) ^ floor(a / 0x100000000));
  return mix32(h ^ imul(b | 0, 0x27d4eb2d) ^ floor(b / 0x100000000));
}

/** Uniform in [0, 1) from the same inputs as `hash32`. */
export function unit(seed: number, ...parts: number[]): number {
  return hash32(seed, ...parts) / 0x100000000;
}

function gcd(a: number, b: number): number {
  while (b !== 0) {
    [a, b] = [b, a % b];
  }
  return a;
}

/** Modular inverse of a mod m (a and m coprime). */
function modInverse(a: number, m: number): number {
  let [oldR, r] = [a, m];
  let [oldS, s] = [1, 0];
  while (r !== 0) {
    const q = Math.floor(oldR / r);
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return ((oldS % m) + m) % m;
}

/**
 * A bijection of [0, n) (affine map with a multiplier coprime to n): ranks regions by write heat without storing a
 * permutation, and maps a rank back to its region index.
 */
export class AffinePermutation {
  private readonly a: number;
  private readonly b: number;
  private readonly aInv: number;

  constructor(
    private readonly n: number,
    seed: number
  ) {
    let a = n <= 2 ? 1 : 1 + (hash32(seed, 7) % (n - 1));
    while (gcd(a, n) !== 1) {
      a = (a % (n - 1)) + 1;
    }
    this.a = a;
    this.b = n <= 1 ? 0 : hash32(seed, 11) % n;
    this.aInv = modInverse(a, n);
  }

  forward(i: number): number {
    return (mulMod(this.a, i, this.n) + this.b) % this.n;
  }

  inverse(r: number): number {
    return mulMod(this.aInv, (r - this.b + this.n) % this.n, this.n);
  }
}

/** (a·b) mod m; exact while a·b < 2^53, i.e. for the simulator's n ≤ 1,000,000 regions. */
function mulMod(a: number, b: number, m: number): number {
  return (a * b) % m;
}
