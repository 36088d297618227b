import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { parse as parseYaml } from 'yaml';
import { parseConfig } from '@mira/core';
import { startTestApp, TestApp } from '../support/app.js';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
/** parseConfig writes a development JWT secret into DATA_DIR when none is given: keep it out of the tree. */
const CONFIG_DATA_DIR = join(tmpdir(), 'mira-deploy-artifacts-config');

// ---- what the app itself says --------------------------------------------------------------------------------

/** Every environment variable the app's configuration reads (parseConfig asks for each by name). */
function variablesTheAppReads(): Set<string> {
  const names = new Set<string>();
  const env = new Proxy({} as Record<string, string | undefined>, {
    get: (_t, key) => {
      if (typeof key === 'string') names.add(key);
      return key === 'DATA_DIR' ? CONFIG_DATA_DIR : undefined;
    },
  });
  try {
    parseConfig(env, '0.0.0');
  } catch {
    // problems are irrelevant here: only the names asked for matter
  }
  // Variables read only on some paths (e.g. DB_POOL_SIZE once DATABASE_URL is set).
  try {
    parseConfig(
      new Proxy({} as Record<string, string | undefined>, {
        get: (_t, key) => {
          if (typeof key === 'string') names.add(key);
          if (key === 'DATA_DIR') return CONFIG_DATA_DIR;
          return key === 'DATABASE_URL' ? 'postgres://x@y/z' : undefined;
        },
      }),
      '0.0.0',
    );
  } catch {
    // as above
  }
  return names;
}

/** Names the production configuration refuses to start without. */
function requiredInProduction(): string[] {
  try {
    parseConfig({ NODE_ENV: 'production', DATA_DIR: CONFIG_DATA_DIR }, '0.0.0');
    return [];
  } catch (err) {
    const problems = (err as { problems: string[] }).problems;
    return problems.map((p) => /^([A-Z][A-Z0-9_]+) is required/.exec(p)?.[1]).filter((n): n is string => !!n);
  }
}

const APP_DEFAULTS = parseConfig({ DATA_DIR: CONFIG_DATA_DIR }, '0.0.0');
/** Secrets provisioned ahead of the lib that reads them (none now: VOICEPRINT_KEY is read by libs/recognition). */
const SECRETS_PROVISIONED_AHEAD: string[] = [];
/** Build-time variables for npm/onnxruntime's installer, not app configuration. */
const BUILD_ONLY = ['ONNXRUNTIME_NODE_INSTALL', 'npm_config_onnxruntime_node_install', 'CI'];

/** `dist/apps/api/src/x.js` → the TypeScript source it is compiled from. */
function sourceOf(distPath: string): string {
  return distPath.replace(/^dist\//, '').replace(/\.js$/, '.ts');
}

// ---- terraform ---------------------------------------------------------------------------------------------------

type Block = Record<string, unknown>;
interface Terraform {
  resource: Record<string, Record<string, Block[]>>;
  variable: Record<string, Block[]>;
  output: Record<string, Block[]>;
  locals: Block[];
}

async function loadTerraform(): Promise<Terraform> {
  const merged: Terraform = { resource: {}, variable: {}, output: {}, locals: [] };
  for (const file of readdirSync(join(ROOT, 'terraform')).filter((f) => f.endsWith('.tf'))) {
    const parsed = (await parseHcl(file, read(join('terraform', file)))) as Partial<Terraform>;
    for (const [type, byName] of Object.entries(parsed.resource ?? {}))
      merged.resource[type] = { ...(merged.resource[type] ?? {}), ...byName };
    Object.assign(merged.variable, parsed.variable ?? {});
    Object.assign(merged.output, parsed.output ?? {});
    merged.locals.push(...(parsed.locals ?? []));
  }
  return merged;
}

describe('deployment artefacts agree with the app (terraform, Dockerfile, docker compose)', () => {
  let tf: Terraform;
  let t: TestApp;
  const appVars = variablesTheAppReads();
  const required = requiredInProduction();

  const resource = (type: string, name: string): Block => {
    const block = tf.resource[type]?.[name]?.[0];
    if (!block) throw new Error(`terraform has no ${type}.${name}`);
    return block;
  };
  const variableDefault = (name: string): unknown => tf.variable[name]?.[0]?.['default'];
  /** "${var.x}" → the variable's default; a literal stays as it is. */
  const resolve = (value: unknown): unknown => {
    const m = typeof value === 'string' ? /^\$\{var\.([a-z0-9_]+)\}$/.exec(value) : null;
    return m ? variableDefault(m[1] as string) : value;
  };
  const local = (name: string): unknown => tf.locals.find((l) => name in l)?.[name];

  /** The container environment block of the task definitions, as KEY → value with variable defaults applied. */
  function taskEnvironment(): Record<string, string> {
    const expression = String(local('container_environment'));
    const env: Record<string, string> = {};
    for (const m of expression.matchAll(/^\s*([A-Z][A-Z0-9_]*)\s*=\s*(.+?)\s*$/gm)) {
      const raw = m[2] as string;
      const literal = /^"(.*)"$/.exec(raw);
      const variable = /^(?:tostring\()?var\.([a-z0-9_]+)\)?$/.exec(raw);
      const vcpusBeyondFirst = raw === 'tostring(max(0, floor(var.task_cpu / 1024) - 1))';
      if (literal) env[m[1] as string] = literal[1] as string;
      else if (vcpusBeyondFirst)
        env[m[1] as string] = String(
          Math.max(0, Math.floor((variableDefault('task_cpu') as number) / 1024) - 1),
        );
      else if (variable) env[m[1] as string] = String(variableDefault(variable[1] as string));
      else throw new Error(`unrecognised environment value ${raw}`);
    }
    return env;
  }

  beforeAll(async () => {
    tf = await loadTerraform();
    t = await startTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('terraform', () => {
    it('passes terraform fmt -check', () => {
      const probe = spawnSync('terraform', ['version'], { encoding: 'utf8' });
      if (probe.error) {
        console.warn('SKIPPED terraform fmt -check: no terraform binary on PATH');
        return;
      }
      const fmt = spawnSync('terraform', ['fmt', '-check', '-recursive', '-diff'], {
        cwd: join(ROOT, 'terraform'),
        encoding: 'utf8',
      });
      expect(fmt.stdout).toBe('');
      expect(fmt.status).toBe(0);
    });

    it('container port = target group port = the app default port, on the service and the security groups', () => {
      const port = APP_DEFAULTS.port;
      expect(variableDefault('container_port')).toBe(port);
      const tg = resource('aws_lb_target_group', 'api');
      expect(resolve(tg['port'])).toBe(port);
      const taskDef = String(resource('aws_ecs_task_definition', 'api')['container_definitions']);
      expect(taskDef).toMatch(/portMappings\s*=\s*\[\{\s*containerPort\s*=\s*var\.container_port/);
      expect(taskDef).toMatch(/name\s*=\s*"api"/);
      const lb = (resource('aws_ecs_service', 'api')['load_balancer'] as Block[])[0] as Block;
      expect(lb['container_name']).toBe('api');
      expect(resolve(lb['container_port'])).toBe(port);
      expect(taskEnvironment()['PORT']).toBe(String(port));
      const tasksIn = resource('aws_vpc_security_group_ingress_rule', 'tasks_from_alb');
      expect([resolve(tasksIn['from_port']), resolve(tasksIn['to_port'])]).toEqual([port, port]);
      expect(tasksIn['referenced_security_group_id']).toBe('${aws_security_group.alb.id}');
    });

    it('the health check path is a real route of the app that answers 200', async () => {
      const hc = ((resource('aws_lb_target_group', 'api')['health_check'] as Block[])[0] ?? {}) as Block;
      const path = resolve(hc['path']);
      expect(path).toBe('/health');
      expect(hc['matcher']).toBe('200');
      await t.http().get(String(path)).expect(200);
      const taskDef = String(resource('aws_ecs_task_definition', 'api')['container_definitions']);
      expect(taskDef).toContain('${var.health_check_path}');
    });

    it('every secret the production config requires is injected from Secrets Manager into both task definitions', () => {
      expect(required).toEqual(expect.arrayContaining(['DATABASE_URL', 'JWT_SECRET']));
      const secrets = local('task_secrets') as Record<string, string>;
      for (const name of [...required, 'GEMINI_API_KEY', 'VOICEPRINT_KEY']) {
        expect(Object.keys(secrets)).toContain(name);
        const ref = /^\$\{aws_secretsmanager_secret\.([a-z0-9_]+)\.arn\}$/.exec(secrets[name] as string);
        expect(ref).not.toBeNull();
        resource('aws_secretsmanager_secret', (ref as RegExpExecArray)[1] as string);
      }
      for (const name of Object.keys(secrets)) {
        if (!SECRETS_PROVISIONED_AHEAD.includes(name)) expect(appVars).toContain(name);
      }
      expect(String(local('container_secrets'))).toMatch(/for name, arn in local\.task_secrets/);
      for (const def of ['api', 'migrate']) {
        expect(String(resource('aws_ecs_task_definition', def)['container_definitions'])).toMatch(
          /secrets\s*=\s*local\.container_secrets/,
        );
      }
      // Secrets never travel as plain environment.
      for (const name of Object.keys(secrets)) expect(Object.keys(taskEnvironment())).not.toContain(name);
    });

    it('the task environment names only variables the app reads, and with the secrets it is a valid production config', () => {
      const env = taskEnvironment();
      for (const name of Object.keys(env)) expect(appVars).toContain(name);
      const secrets = local('task_secrets') as Record<string, string>;
      const placeholders: Record<string, string> = {
        DATABASE_URL: 'postgresql://mira:pw@db.internal:5432/mira?sslmode=no-verify',
        JWT_SECRET: 'x'.repeat(64),
        VOICEPRINT_KEY: Buffer.alloc(32, 7).toString('base64'),
        METRICS_TOKEN: 'm'.repeat(48),
      };
      const withSecrets = {
        ...env,
        ...Object.fromEntries(Object.keys(secrets).map((k) => [k, placeholders[k] ?? 'v'])),
      };
      const config = parseConfig({ ...withSecrets, DATA_DIR: CONFIG_DATA_DIR }, '0.0.0');
      expect(config.nodeEnv).toBe('production');
      expect(config.trustProxyHops).toBe(1);
      expect(config.migrateOnBoot).toBe(false);
    });

    it('the audio worker pool takes the vCPUs beyond the first, and the config accepts it', () => {
      const expression = String(local('container_environment'));
      expect(expression).toMatch(
        /^\s*AUDIO_WORKERS\s*=\s*tostring\(max\(0, floor\(var\.task_cpu \/ 1024\) - 1\)\)\s*$/m,
      );
      const vcpus = (variableDefault('task_cpu') as number) / 1024;
      const workers = Number(taskEnvironment().AUDIO_WORKERS);
      expect(workers).toBe(Math.max(0, Math.floor(vcpus) - 1));
      expect(
        parseConfig({ AUDIO_WORKERS: String(workers), DATA_DIR: CONFIG_DATA_DIR }, '0.0.0').audio.workers,
      ).toBe(workers);
    });

    it('ECS kills after stopTimeout only once the app drain bound has passed', () => {
      const stopTimeout = variableDefault('stop_timeout_seconds') as number;
      const drainMs = Number(taskEnvironment()['SHUTDOWN_TIMEOUT_MS']);
      expect(drainMs).toBe(APP_DEFAULTS.shutdownTimeoutMs);
      expect(stopTimeout * 1000).toBeGreaterThan(drainMs);
      expect(stopTimeout).toBeLessThanOrEqual(120); // Fargate maximum
      expect(String(resource('aws_ecs_task_definition', 'api')['container_definitions'])).toMatch(
        /stopTimeout\s*=\s*var\.stop_timeout_seconds/,
      );
    });

    it('the one-off migration task runs the compiled migrate CLI of this repository', () => {
      const def = String(resource('aws_ecs_task_definition', 'migrate')['container_definitions']);
      const command = /command\s*=\s*\[\s*"node",\s*"([^"]+)"\s*\]/.exec(def);
      expect(command?.[1]).toBe('dist/apps/api/src/cli/migrate.js');
      expect(existsSync(join(ROOT, sourceOf(command?.[1] as string)))).toBe(true);
      expect(read('package.json')).toContain('"db:migrate": "node dist/apps/api/src/cli/migrate.js"');
    });

    it('ALB: HTTPS with the ACM certificate, HTTP redirects to HTTPS, idle timeout fit for streams and uploads', () => {
      const https = resource('aws_lb_listener', 'https');
      expect([https['port'], https['protocol'], https['certificate_arn']]).toEqual([
        443,
        'HTTPS',
        '${var.certificate_arn}',
      ]);
      const redirect = (
        (resource('aws_lb_listener', 'http_redirect')['default_action'] as Block[])[0] as Block
      )['redirect'] as Block[];
      expect(redirect[0]).toMatchObject({ port: '443', protocol: 'HTTPS', status_code: 'HTTP_301' });
      expect(resolve(resource('aws_lb', 'this')['idle_timeout'])).toBeGreaterThanOrEqual(300);
      expect(resolve(resource('aws_lb_target_group', 'api')['deregistration_delay'])).toBeGreaterThan(0);
    });

    it('least privilege: only the ALB reaches the tasks, only the tasks reach the database (5432)', () => {
      const ingress = tf.resource['aws_vpc_security_group_ingress_rule'] ?? {};
      const into = (sg: string) =>
        Object.values(ingress)
          .map((b) => b[0] as Block)
          .filter((b) => b['security_group_id'] === `\${aws_security_group.${sg}.id}`);
      expect(into('tasks')).toHaveLength(1);
      expect(into('db')).toHaveLength(1);
      const db = into('db')[0] as Block;
      expect([db['from_port'], db['to_port'], db['referenced_security_group_id']]).toEqual([
        5432,
        5432,
        '${aws_security_group.tasks.id}',
      ]);
      for (const rule of [...into('tasks'), ...into('db')]) expect(rule['cidr_ipv4']).toBeUndefined();
    });

    it('RDS PostgreSQL 15: encrypted, private, backed up, deletion protection by variable', () => {
      const db = resource('aws_db_instance', 'this');
      expect(db['engine']).toBe('postgres');
      expect(String(resolve(db['engine_version']))).toMatch(/^15/);
      expect(db['storage_encrypted']).toBe(true);
      expect(db['publicly_accessible']).toBe(false);
      expect(resolve(db['backup_retention_period'])).toBeGreaterThan(0);
      expect(db['deletion_protection']).toBe('${var.db_deletion_protection}');
    });

    it('autoscaling on CPU and request count; alarms on 5xx rate, p95 latency and unhealthy targets', () => {
      const policies = Object.values(tf.resource['aws_appautoscaling_policy'] ?? {}).map((b) =>
        JSON.stringify(b[0]),
      );
      expect(policies.join()).toContain('ECSServiceAverageCPUUtilization');
      expect(policies.join()).toContain('ALBRequestCountPerTarget');
      const alarms = JSON.stringify(tf.resource['aws_cloudwatch_metric_alarm']);
      expect(alarms).toContain('HTTPCode_Target_5XX_Count');
      expect(alarms).toContain('"extended_statistic":"p95"');
      expect(alarms).toContain('UnHealthyHostCount');
      expect(JSON.stringify(resource('aws_cloudwatch_log_group', 'api'))).toContain('retention_in_days');
    });

    it('every variable and output is documented', () => {
      for (const [name, blocks] of Object.entries(tf.variable))
        expect([name, String(blocks[0]?.['description'] ?? '').length > 10]).toEqual([name, true]);
      for (const [name, blocks] of Object.entries(tf.output))
        expect([name, String(blocks[0]?.['description'] ?? '').length > 10]).toEqual([name, true]);
    });
  });

  describe('Dockerfile', () => {
    /** Instructions with line continuations joined. */
    const instructions = read('Dockerfile')
      .replace(/\\\n/g, ' ')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => {
        const [keyword, ...rest] = l.split(/\s+/);
        return { keyword: (keyword as string).toUpperCase(), args: rest.join(' ') };
      });
    const stages: Array<{ from: string; name: string; lines: typeof instructions }> = [];
    for (const ins of instructions) {
      if (ins.keyword === 'FROM') {
        const m = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(ins.args) as RegExpExecArray;
        stages.push({ from: m[1] as string, name: m[2] ?? '', lines: [] });
      } else stages.at(-1)?.lines.push(ins);
    }
    const runtime = stages.at(-1) as (typeof stages)[number];
    const envOf = (stage: (typeof stages)[number]) => {
      const env: Record<string, string> = {};
      for (const l of stage.lines.filter((i) => i.keyword === 'ENV'))
        for (const m of l.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=(\S+)/g))
          env[m[1] as string] = m[2] as string;
      return env;
    };

    it('is multi-stage on Node 20 LTS bookworm-slim', () => {
      expect(stages.length).toBeGreaterThanOrEqual(2);
      const arg = instructions.find((i) => i.keyword === 'ARG' && i.args.startsWith('NODE_IMAGE='));
      expect(arg?.args).toBe('NODE_IMAGE=node:20-bookworm-slim');
      for (const s of stages) expect(s.from).toBe('${NODE_IMAGE}');
    });

    it('installs with ONNXRUNTIME_NODE_INSTALL=skip, production dependencies only, linux onnxruntime binaries only', () => {
      for (const s of stages.filter((st) => st.lines.some((l) => /npm ci/.test(l.args))))
        expect(envOf(s)['ONNXRUNTIME_NODE_INSTALL']).toBe('skip');
      expect(envOf(runtime)['ONNXRUNTIME_NODE_INSTALL']).toBe('skip');
      const copies = runtime.lines.filter((l) => l.keyword === 'COPY');
      const nodeModulesFrom = /--from=(\S+)/.exec(
        copies.find((c) => /node_modules/.test(c.args))?.args ?? '',
      )?.[1];
      const depsStage = stages.find((s) => s.name === nodeModulesFrom) as (typeof stages)[number];
      const depsRun = depsStage.lines.map((l) => l.args).join('\n');
      expect(depsRun).toMatch(/npm ci --omit=dev/);
      expect(depsRun).toMatch(/rm -rf "\$napi\/darwin" "\$napi\/win32"/);
      expect(depsRun).toContain('onnxruntime-node/bin/napi-v');
    });

    it('fetches and verifies the models at build time through the project models CLI', () => {
      const all = stages.flatMap((s) => s.lines.map((l) => l.args)).join('\n');
      const fetch = /node (dist\/apps\/api\/src\/cli\/models-fetch\.js)/.exec(all);
      expect(fetch).not.toBeNull();
      expect(runtime.lines.some((l) => l.keyword === 'COPY' && /model-files/.test(l.args))).toBe(true);
      expect(envOf(runtime)['MODEL_DIR']).toBe('/app/model-files');
      expect(existsSync(join(ROOT, sourceOf(fetch?.[1] as string)))).toBe(true);
    });

    it('runtime: non-root user, EXPOSE and PORT = app port, HEALTHCHECK on a real route, CMD runs the compiled main', async () => {
      const user = runtime.lines.filter((l) => l.keyword === 'USER').at(-1)?.args;
      expect(user).toBeDefined();
      expect(['root', '0', '0:0']).not.toContain(user);
      expect(runtime.lines.find((l) => l.keyword === 'EXPOSE')?.args).toBe(String(APP_DEFAULTS.port));
      const env = envOf(runtime);
      expect(env['PORT']).toBe(String(APP_DEFAULTS.port));
      for (const name of Object.keys(env)) if (!BUILD_ONLY.includes(name)) expect(appVars).toContain(name);
      expect(Number(env['SHUTDOWN_TIMEOUT_MS'])).toBeLessThan(30_000);
      const healthcheck = runtime.lines.find((l) => l.keyword === 'HEALTHCHECK')?.args ?? '';
      const healthPath = /'(\/[^']*)'/.exec(healthcheck)?.[1];
      expect(/\|\| (\d+)\)/.exec(healthcheck)?.[1]).toBe(String(APP_DEFAULTS.port));
      expect(healthPath).toBe('/health');
      await t
        .http()
        .get(healthPath as string)
        .expect(200);
      const cmd = JSON.parse(runtime.lines.find((l) => l.keyword === 'CMD')?.args ?? '[]') as string[];
      expect(cmd).toEqual(['node', 'dist/server/main.js']);
      expect(read('package.json')).toContain(`"start:prod": "node ${cmd[1]}"`);
    });

    it('.dockerignore keeps node_modules, dist, git, data and env files out of the build context', () => {
      const ignored = read('.dockerignore')
        .split('\n')
        .map((l) => l.trim());
      for (const entry of ['node_modules', 'dist', '.git', 'data', '.env']) expect(ignored).toContain(entry);
    });
  });

  describe('docker compose', () => {
    const compose = parseYaml(read('docker-compose.yml'), { merge: true }) as {
      services: Record<string, Record<string, unknown>>;
    };
    /** ${NAME:-default} → default (what compose uses when the variable is unset). */
    const substitute = (value: unknown) =>
      String(value)
        .replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1')
        .replace(/\$\{[A-Z0-9_]+\}/g, '');
    const envOf = (service: string) =>
      Object.fromEntries(
        Object.entries((compose.services[service]?.['environment'] ?? {}) as Record<string, unknown>).map(
          ([k, v]) => [k, substitute(v)],
        ),
      );

    it('api + postgres 15 + test services exist', () => {
      expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['api', 'postgres', 'test']));
      expect(compose.services['postgres']?.['image']).toBe('postgres:15');
    });

    it('api: published port = PORT = the app port, health check on a real route, a valid production config', async () => {
      const env = envOf('api');
      expect(env['PORT']).toBe(String(APP_DEFAULTS.port));
      expect(compose.services['api']?.['ports']).toContain(`${APP_DEFAULTS.port}:${APP_DEFAULTS.port}`);
      const hc = JSON.stringify(compose.services['api']?.['healthcheck']);
      const path = /127\.0\.0\.1:(\d+)(\/[a-z/]*)/.exec(hc);
      expect(path?.[1]).toBe(String(APP_DEFAULTS.port));
      await t
        .http()
        .get(path?.[2] as string)
        .expect(200);
      for (const name of Object.keys(env)) expect(appVars).toContain(name);
      const config = parseConfig({ ...env, DATA_DIR: CONFIG_DATA_DIR }, '0.0.0');
      expect(config.nodeEnv).toBe('production');
      expect(required.every((name) => env[name])).toBe(true);
    });

    it('DATABASE_URL points at the compose postgres with its credentials; the stop grace period exceeds the drain bound', () => {
      const pgEnv = envOf('postgres');
      for (const service of ['api', 'test']) {
        const url = new URL(envOf(service)['DATABASE_URL'] as string);
        expect([url.hostname, url.port, url.username, url.password]).toEqual([
          'postgres',
          '5432',
          pgEnv['POSTGRES_USER'],
          pgEnv['POSTGRES_PASSWORD'],
        ]);
      }
      const grace = /^(\d+)s$/.exec(String(compose.services['api']?.['stop_grace_period']));
      expect(Number(grace?.[1]) * 1000).toBeGreaterThan(Number(envOf('api')['SHUTDOWN_TIMEOUT_MS']));
    });

    it('the test service runs the CI test command against the compose database (the harness takes DATABASE_URL as admin URL)', () => {
      const command = (compose.services['test']?.['command'] as string[]).join(' ');
      expect(command).toContain('npm ci && npm test');
      expect(read('.ci/run')).toMatch(/npm ci .*&& npm test/);
      expect(read('test/support/global-setup.mjs')).toContain('process.env.DATABASE_URL');
      expect(envOf('test')['ONNXRUNTIME_NODE_INSTALL']).toBe('skip');
      // The postgres bootstrap user is a superuser (may CREATE DATABASE); the test URL uses it.
      expect(new URL(envOf('test')['DATABASE_URL'] as string).username).toBe(
        envOf('postgres')['POSTGRES_USER'],
      );
    });
  });
});
