// Resolves the database the process uses: DATABASE_URL when set, otherwise the
// embedded PostgreSQL under ORGSTREAM_DATA_DIR (database `orgstream`).
import type { Config } from '../config.ts';
import { startEmbeddedPostgres } from './embedded.ts';

export type DatabaseHandle = {
  url: string;
  embedded: boolean;
  /** Stops the embedded server; a no-op for an external DATABASE_URL. */
  close(): Promise<void>;
};

export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'embeddedPostgresPort'>,
  onLog?: (line: string) => void,
): Promise<DatabaseHandle> {
  if (config.databaseUrl) {
    return { url: config.databaseUrl, embedded: false, close: async () => {} };
  }
  const server = await startEmbeddedPostgres({
    dataDir: config.dataDir,
    port: config.embeddedPostgresPort,
    ...(onLog ? { onLog } : {}),
  });
  try {
    await server.createDatabase('orgstream');
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { url: server.urlFor('orgstream'), embedded: true, close: () => server.stop() };
}
