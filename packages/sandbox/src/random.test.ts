import { SeededRandom } from './random';

describe('SeededRandom', () => {
  it('gives the same sequence for the same seed', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    expect(Array.from({ length: 5 }, () => a.next())).toEqual(
      Array.from({ length: 5 }, () => b.next()),
    );
  });

  it('gives different sequences for different seeds', () => {
    expect(new SeededRandom(1).sha()).not.toEqual(new SeededRandom(2).sha());
  });

  it('makes commit-like SHAs and stays inside integer bounds', () => {
    const random = new SeededRandom(7);
    expect(random.sha()).toMatch(/^[0-9a-f]{40}$/);
    for (let i = 0; i < 1000; i++) {
      const n = random.int(3, 5);
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThanOrEqual(5);
    }
  });
});
