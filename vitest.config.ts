import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Servers are started once for the whole run and shared through provide/inject;
    // every test file creates its own database on them.
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // 2-core machines: real servers and tools per test file; more forks only thrash.
    maxWorkers: 2,
    // Every DMMF the Prisma worker splices is compared with Prisma's whole one (dmmf-splicer.ts).
    env: { SCHEMASYNC_CHECK_SPLICE: '1' },
  },
});
