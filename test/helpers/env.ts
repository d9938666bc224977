/** Addresses of the shared services that test/run.ts started for this run. */
export function testPostgresUrl(): string {
  const url = process.env.COROOT_USAGE_TEST_PG_URL;
  if (!url) throw new Error('COROOT_USAGE_TEST_PG_URL is not set: run the tests with `npm test`');
  return url;
}
