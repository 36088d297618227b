/*
 * What the HTTP framework alone costs per request, before any work of the application: the same static 20-item JSON
 * page served by node:http, bare Express 5 and a bare Nest controller on the Express adapter (no database, no
 * middleware, no guards), each in a child process of its own, in rotated order for ROUNDS rounds (default 5): autocannon
 * 16 connections, 2 s warm-up, 5 s measured. CPU per request is the child's user + system CPU (from /proc) over the
 * measured run divided by the requests answered. Usage: node bench/framework-floor.mjs
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import autocannon from 'autocannon';

const KIND = process.argv[2];
const page = JSON.stringify(
  Array.from({ length: 20 }, (_, i) => ({
    id: `id-${i}`,
    text: 'x'.repeat(60),
    at: new Date(0).toISOString(),
  })),
);

async function serve(kind) {
  if (kind === 'node') {
    const http = await import('node:http');
    const server = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(page);
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    return server.address().port;
  }
  if (kind === 'express') {
    const express = (await import('express')).default;
    const app = express();
    app.get('/items', (req, res) => res.json(JSON.parse(page)));
    const server = await new Promise((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    return server.address().port;
  }
  const { NestFactory } = await import('@nestjs/core');
  const { Controller, Get, Module } = await import('@nestjs/common');
  class Items {
    list() {
      return JSON.parse(page);
    }
  }
  Controller('items')(Items);
  const d = Object.getOwnPropertyDescriptor(Items.prototype, 'list');
  Get()(Items.prototype, 'list', d);
  Object.defineProperty(Items.prototype, 'list', d);
  class AppModule {}
  Module({ controllers: [Items] })(AppModule);
  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  return app.getHttpServer().address().port;
}

if (KIND) {
  const port = await serve(KIND);
  process.send({ port });
} else {
  const cpu = (pid) => {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  };
  const kinds = ['node', 'express', 'nest'];
  const results = Object.fromEntries(kinds.map((k) => [k, []]));
  const ROUNDS = Number(process.env.ROUNDS ?? 5);
  for (let round = 0; round < ROUNDS; round++) {
    const order = kinds.map((_, i) => kinds[(i + round) % kinds.length]);
    for (const kind of order) {
      const child = fork(new URL(import.meta.url).pathname, [kind], { stdio: 'inherit' });
      const { port } = await new Promise((r) => child.once('message', r));
      const url = `http://127.0.0.1:${port}/items`;
      await autocannon({ url, connections: 16, duration: 2 });
      const load = loadavg()[0];
      const before = cpu(child.pid);
      const r = await autocannon({ url, connections: 16, duration: 5 });
      const ms = cpu(child.pid) - before;
      results[kind].push({ rps: r.requests.average, cpuPerReq: ms / r.requests.total, load });
      child.kill();
    }
  }
  const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  for (const k of kinds) {
    const rs = results[k];
    console.log(
      `${k.padEnd(8)} CPU/req ms median ${med(rs.map((r) => r.cpuPerReq)).toFixed(3)} (${rs.map((r) => r.cpuPerReq.toFixed(3)).join(' ')}); req/s median ${Math.round(med(rs.map((r) => r.rps)))}; load ${rs.map((r) => r.load.toFixed(1)).join(' ')}`,
    );
  }
}
