/** What a deployment can set. Every variable is optional in the embedded development default. */
export interface RawEnvironment {
  [name: string]: string | undefined;
}

/**
 * Reads variables for the area parsers (`*.config.ts`): blank counts as unset, and a value out of range or of the
 * wrong kind adds a problem naming the variable and answers the default, so that one boot reports every problem.
 */
export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: RawEnvironment) {}

  /** The trimmed value; undefined when unset or blank. */
  readonly str = (name: string): string | undefined => {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };

  readonly int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = this.str(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };

  readonly num = (name: string, fallback: number, min: number, max: number): number =>
    this.optionalNum(name, min, max) ?? fallback;

  /** A number, or undefined when unset (or invalid: the problem is recorded). */
  readonly optionalNum = (name: string, min: number, max: number): number | undefined => {
    const raw = this.str(name);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max) {
      this.problems.push(`${name} must be a number between ${min} and ${max} (got "${raw}")`);
      return undefined;
    }
    return value;
  };

  readonly bool = (name: string, fallback: boolean): boolean => {
    const raw = this.str(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    this.problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  };

  readonly oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = this.str(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
    return fallback;
  };
}

/** What every area parser may need to know about the deployment as a whole. */
export interface ConfigContext {
  isProduction: boolean;
  /** Where zero-configuration runs keep their generated secrets and the embedded database. */
  dataDir: string;
}
