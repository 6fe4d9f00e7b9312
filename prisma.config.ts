// Prisma CLI configuration. The URL is only needed by the stock CLI
// (`prisma migrate deploy` for users with the downloaded engine); this
// project's own `npm run db:migrate` reads DATABASE_URL itself.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/orgstream' },
});
