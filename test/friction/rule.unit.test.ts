// compareProducts: exact decimal comparison of products, whichever path
// (floating point for clear cases, exact digits for near-ties) answers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareProducts } from '../../projections/friction/rule.ts';

/** A decimal as digits × 10^-scale, and the number it prints as. */
const decimal = fc
  .record({ digits: fc.integer({ min: 0, max: 10_000_000 }), scale: fc.integer({ min: 0, max: 4 }) })
  .map(({ digits, scale }) => ({ digits: BigInt(digits), scale, value: digits / 10 ** scale }))
  .filter(({ value, digits, scale }) => Number(value.toFixed(scale)) === value && digits >= 0n);

/** The sign of Πleft − Πright, computed on integers only. */
function exact(left: { digits: bigint; scale: number }[], right: { digits: bigint; scale: number }[]): number {
  const scale = (side: typeof left) => side.reduce((sum, factor) => sum + factor.scale, 0);
  const digits = (side: typeof left) => side.reduce((product, factor) => product * factor.digits, 1n);
  const [ls, rs] = [scale(left), scale(right)];
  const top = Math.max(ls, rs);
  const a = digits(left) * 10n ** BigInt(top - ls);
  const b = digits(right) * 10n ** BigInt(top - rs);
  return a < b ? -1 : a > b ? 1 : 0;
}

describe('compareProducts', () => {
  it('puts the boundaries DOMAIN.md states in percent where the decimals put them', () => {
    expect(compareProducts([1.2, 100], [1, 120])).toBe(0); // 1.2 × 100 < 120 in floating point
    expect(compareProducts([0.36, 100], [36, 1])).toBe(0);
    expect(compareProducts([33.3, 3], [99.9, 1])).toBe(0);
    expect(compareProducts([12.5, 8], [100, 1])).toBe(0);
    expect(compareProducts([3, 100], [2, 150])).toBe(0);
    expect(compareProducts([3, 100], [2, 151])).toBe(-1);
    expect(compareProducts([0.1, 3], [0.3, 1])).toBe(0);
  });

  it('stays exact at extreme magnitudes, where floating point underflows', () => {
    expect(compareProducts([4.4e-323, 100], [2e-323, 221])).toBe(-1);
    expect(compareProducts([1e-320, 1e300], [1e-20, 1])).toBe(0);
    expect(compareProducts([1e-200, 1e-200, 1e300], [1e-100])).toBe(0);
    expect(compareProducts([1e200, 1e200], [1e300, 1e100])).toBe(0);
  });

  it('agrees with integer arithmetic on random decimals, near-ties included', () => {
    fc.assert(
      fc.property(
        fc.array(decimal, { minLength: 1, maxLength: 3 }),
        fc.array(decimal, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        (left, right, tie) => {
          // Half the cases compare a product with itself rearranged: exact ties.
          const other = tie ? [...left].reverse() : right;
          expect(
            compareProducts(
              left.map((factor) => factor.value),
              other.map((factor) => factor.value),
            ),
          ).toBe(exact(left, other));
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
