export default async function globalTeardown() {
  globalThis.__MIRA_TEST_PG__?.stop();
}
