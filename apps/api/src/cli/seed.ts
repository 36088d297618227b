import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { AppLogger } from '@mira/core';
import { createApp } from '../app.factory.js';
import { argValue, loadCliConfig, runCli } from './cli-support.js';

/**
 * `npm run db:seed [-- --email demo@mira.local --password <pw> --network "Demo network" --client demo-client]`
 *
 * Creates a demo user, a network and a registered client device, and prints their credentials. It boots the real
 * application on a private loopback port and goes through the public API (validation, hashing, tokens exactly as
 * for a real client), so it only needs what the API offers. Re-running with the same email needs that user's
 * `--password`; the network is reused and the client gets a fresh token. Refuses NODE_ENV=production unless
 * `--allow-production` is given. Stop a server that uses the same embedded (PGlite) data directory first.
 */
runCli('db:seed', async () => {
  const argv = process.argv.slice(2);
  const config = loadCliConfig();
  if (config.isProduction && !argv.includes('--allow-production')) {
    throw new Error(
      'refusing to seed demo credentials with NODE_ENV=production (pass --allow-production to insist)',
    );
  }
  const email = argValue(argv, '--email') ?? 'demo@mira.local';
  const givenPassword = argValue(argv, '--password');
  const password = givenPassword ?? `demo-${randomBytes(9).toString('base64url')}`;
  const networkName = argValue(argv, '--network') ?? 'Demo network';
  const clientId = argValue(argv, '--client') ?? 'demo-client';

  const app = await createApp(config, new AppLogger('warn', true));
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const call = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  try {
    let auth = await call('POST', '/api/v1/auth/register', { email, password });
    let created = true;
    if (auth.status === 409) {
      created = false;
      if (!givenPassword) throw new Error(`${email} already exists: pass its --password, or another --email`);
      auth = await call('POST', '/api/v1/auth/login', { email, password });
    }
    if (auth.status >= 300) throw new Error(`could not sign in as ${email}: ${JSON.stringify(auth.body)}`);
    const token = auth.body['access_token'] as string;

    const owned = await call('GET', '/api/v1/networks?limit=100', undefined, token);
    if (owned.status !== 200) throw new Error(`could not list networks: ${JSON.stringify(owned.body)}`);
    // A plain array today; a page object ({ items }) is accepted too.
    const listed = owned.body as unknown;
    const items = (
      Array.isArray(listed) ? listed : ((listed as { items?: unknown[] }).items ?? [])
    ) as Array<{
      id: string;
      name: string;
    }>;
    let network = items.find((n) => n.name === networkName);
    if (!network) {
      const res = await call('POST', '/api/v1/networks', { name: networkName }, token);
      if (res.status !== 201) throw new Error(`could not create the network: ${JSON.stringify(res.body)}`);
      network = res.body as unknown as { id: string; name: string };
    }
    const clientPath = `/api/v1/${network.id}/service/client`;
    let client = await call('POST', `${clientPath}/register/${clientId}`, undefined, token);
    if (client.status === 409) {
      await call('DELETE', `${clientPath}/deregister/${clientId}`, undefined, token);
      client = await call('POST', `${clientPath}/register/${clientId}`, undefined, token);
    }
    if (client.status !== 201)
      throw new Error(`could not register the client: ${JSON.stringify(client.body)}`);

    process.stdout.write(
      `${JSON.stringify(
        {
          user: { email, password: created || givenPassword ? password : undefined, created },
          access_token: token,
          refresh_token: auth.body['refresh_token'],
          network: { id: network.id, name: networkName },
          client: { client_id: clientId, client_token: client.body['client_token'] },
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await app.close();
  }
});
