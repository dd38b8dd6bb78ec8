import { describe, it } from 'vitest';

/**
 * `describe` for tests that need a real server or tool. Where the dependency is missing the
 * block is skipped on a developer's laptop, but in CI (`CI` set) it fails: CI must run every
 * test for real.
 */
export function describeWith(needs: string, missingReason: string | undefined, name: string, body: () => void): void {
  if (missingReason === undefined) {
    describe(name, body);
  } else if (process.env.CI) {
    describe(name, () => {
      it(`needs ${needs}`, () => {
        throw new Error(`${needs} is required in CI but unavailable: ${missingReason}`);
      });
    });
  } else {
    describe.skip(`${name} (needs ${needs}: ${missingReason.split('\n')[0]})`, body);
  }
}
