import { defineConfig } from 'prisma/config';

import { createPrismaAdapter } from './prisma/pg-adapter.ts';

/**
 * Prisma 6.19 configuration for the example project.
 *
 * `engine: 'js'` makes `prisma db pull` use the JavaScript schema engine over a driver adapter, so
 * no native schema engine has to be downloaded (this machine and many CI runners are offline). The
 * database URL comes from DATABASE_URL, which schemasync passes in the child's environment only.
 */
export default defineConfig({
  schema: 'prisma/schema.prisma',
  experimental: { adapter: true },
  engine: 'js',
  adapter() {
    const url = process.env.DATABASE_URL;
    if (!url) return Promise.reject(new Error('prisma.config.ts: DATABASE_URL is not set.'));
    return Promise.resolve(createPrismaAdapter(url));
  },
});
