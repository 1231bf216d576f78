/**
 * A tiny seeded generator (xorshift32) for tests that must be replayable: the
 * same seed gives the same sequence, so a failing drill or fault run can be
 * repeated exactly. Returns numbers in [0, 1).
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
}

/** The seed of a drill: TRIAGE_DRILL_SEED to replay one, else a fresh one (printed by the drill). */
export function drillSeed(): number {
  const fixed = process.env.TRIAGE_DRILL_SEED;
  return fixed !== undefined && fixed !== '' ? Number(fixed) : Math.floor(Math.random() * 0x7fff_ffff) + 1;
}
