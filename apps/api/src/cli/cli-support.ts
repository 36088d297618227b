import { AppConfig, AppLogger, ConfigValidationError } from '@mira/core';

/** Configuration for a command-line tool: the same variables and validation as the server; exit 78 when invalid. */
export function loadCliConfig(overrides: Record<string, string> = {}): AppConfig {
  try {
    return AppConfig.fromEnvironment(process.env, overrides);
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

/** Runs a CLI main: exit 0 on success, 1 with the error on stderr on failure. */
export function runCli(name: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(
        `${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exit(1);
    },
  );
}

/** `--flag value` or `--flag=value` from argv. */
export function argValue(argv: string[], flag: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === flag) return argv[i + 1];
    if (arg.startsWith(`${flag}=`)) return arg.slice(flag.length + 1);
  }
  return undefined;
}

export function cliLogger(config: AppConfig): AppLogger {
  return new AppLogger(config.values.logLevel);
}
