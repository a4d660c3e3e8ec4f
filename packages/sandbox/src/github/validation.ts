import { InvalidRequest } from './http';

/**
 * Checks a JSON body the way GitHub's schema validation does, failing with
 * its wording ("Invalid request.\n\n…") so a client sees the same 422.
 */
export class BodyReader {
  constructor(private readonly body: unknown) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new InvalidRequest(
        'Invalid request.\n\nThe body must be a JSON object.',
      );
    }
  }

  private get fields(): Record<string, unknown> {
    return this.body as Record<string, unknown>;
  }

  private fail(problem: string): never {
    throw new InvalidRequest(`Invalid request.\n\n${problem}`);
  }

  private required(name: string): unknown {
    const value = this.fields[name];
    if (value === undefined) this.fail(`"${name}" wasn't supplied.`);
    return value;
  }

  requiredString(name: string): string {
    const value = this.required(name);
    if (typeof value !== 'string')
      this.fail(
        `For 'properties/${name}', ${JSON.stringify(value)} is not a string.`,
      );
    return value;
  }

  optionalString(name: string): string | undefined {
    const value = this.fields[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string')
      this.fail(
        `For 'properties/${name}', ${JSON.stringify(value)} is not a string.`,
      );
    return value;
  }

  nullableString(name: string): string | null | undefined {
    return this.fields[name] === null ? null : this.optionalString(name);
  }

  optionalBoolean(name: string): boolean | undefined {
    const value = this.fields[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean')
      this.fail(
        `For 'properties/${name}', ${JSON.stringify(value)} is not a boolean.`,
      );
    return value;
  }

  requiredEnum<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.requiredString(name);
    if (!allowed.includes(value as T))
      this.fail(
        `For 'properties/${name}', ${JSON.stringify(
          value,
        )} is not one of ${JSON.stringify(allowed)}.`,
      );
    return value as T;
  }

  requiredIntegerArray(name: string): number[] {
    const value = this.required(name);
    if (!Array.isArray(value))
      this.fail(
        `For 'properties/${name}', ${JSON.stringify(value)} is not an array.`,
      );
    for (const item of value) {
      if (!Number.isInteger(item))
        this.fail(`For 'items', ${JSON.stringify(item)} is not an integer.`);
    }
    return value as number[];
  }

  optionalStringArray(name: string): string[] | undefined {
    const value = this.fields[name];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.some(v => typeof v !== 'string'))
      this.fail(
        `For 'properties/${name}', ${JSON.stringify(
          value,
        )} is not an array of strings.`,
      );
    return value as string[];
  }

  optionalObject(name: string): Record<string, unknown> | undefined {
    const value = this.fields[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value))
      this.fail(
        `For 'properties/${name}', ${JSON.stringify(value)} is not an object.`,
      );
    return value as Record<string, unknown>;
  }

  /** `payload` of a deployment: an object, or a JSON string of one. */
  optionalPayload(name: string): Record<string, unknown> | string | undefined {
    const value = this.fields[name];
    if (value === undefined) return undefined;
    if (
      typeof value === 'string' ||
      (typeof value === 'object' && value !== null && !Array.isArray(value))
    )
      return value as Record<string, unknown> | string;
    return this.fail(
      `For 'properties/${name}', ${JSON.stringify(
        value,
      )} is not an object or a string.`,
    );
  }
}
