// Seeded pseudo-random numbers for the simulator. Faults, latency jitter and async outcomes are drawn
// from here so that a run with the same --seed and the same request order injects the same faults.
// mulberry32: tiny, fast, good enough statistically for fault injection (not for cryptography).

export type Random = () => number;

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Independent streams from one seed, so that e.g. async outcomes do not shift when fault rates change.
export function deriveSeed(seed: number, stream: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(stream, 0xc2b2ae35)) >>> 0;
}
