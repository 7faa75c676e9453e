import { generateProfile } from '../../src/modules/unipile/sandbox/sandbox-profiles';
import { SeededRandom } from '../../src/modules/unipile/sandbox/sandbox-random';

describe(SeededRandom.name, () => {
  it('should repeat the same sequence for the same seed and stream', () => {
    const a = SeededRandom.stream('s1', 'x');
    const b = SeededRandom.stream('s1', 'x');
    const seqA = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(seqA);
    expect(seqA.every((v) => v >= 0 && v < 1)).toBe(true);
  });

  it('should differ between seeds and between streams', () => {
    const first = (seed: string, stream: string) => SeededRandom.stream(seed, stream).unipileId();
    expect(first('s1', 'x')).not.toBe(first('s2', 'x'));
    expect(first('s1', 'x')).not.toBe(first('s1', 'y'));
  });

  it('should make Unipile- and LinkedIn-shaped ids', () => {
    const rng = new SeededRandom('ids');
    expect(rng.unipileId()).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(rng.memberId()).toMatch(/^ACoAA[A-Za-z0-9_-]{34}$/);
    expect(rng.digits(19)).toMatch(/^[1-9]\d{18}$/);
    expect(rng.threadId()).toMatch(/^2-/);
  });

  it('should honour chance() extremes and ranges', () => {
    const rng = new SeededRandom('c');
    expect(Array.from({ length: 50 }, () => rng.chance(0)).some(Boolean)).toBe(false);
    expect(Array.from({ length: 50 }, () => rng.chance(1)).every(Boolean)).toBe(true);
    const values = Array.from({ length: 200 }, () => rng.between({ min: 5, max: 7 }));
    expect(new Set(values)).toEqual(new Set([5, 6, 7]));
    const hits = Array.from({ length: 2000 }, () => rng.chance(0.3)).filter(Boolean).length;
    expect(hits).toBeGreaterThan(500);
    expect(hits).toBeLessThan(700);
  });

  it('should generate the same people from the same seed', () => {
    const people = (seed: string) => {
      const rng = new SeededRandom(seed);
      return Array.from({ length: 5 }, () => generateProfile(rng));
    };
    expect(people('p')).toEqual(people('p'));
    expect(people('p')).not.toEqual(people('q'));
    expect(people('p')[0].publicIdentifier).toMatch(/^[a-z]+-[a-z]+-[a-z0-9]{6}$/);
  });
});
