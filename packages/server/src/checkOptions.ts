import type { z } from 'zod';
import { ConfigError } from './parseGroupsConfig.js';

/**
 * Parses options with their schema, or throws one {@link ConfigError} naming every bad
 * field under `where` (`options.sessionBuffer.highWaterBytes: …`), so every part of the
 * service reports a bad option the same way, whether it came from code or a config file.
 *
 * @example
 * const checked = checkOptions(z.looseObject({ graceMs: z.number().optional() }), options);
 */
export function checkOptions<T extends z.ZodType>(
  schema: T,
  input: unknown,
  where: readonly string[] = ['options'],
): z.output<T> {
  const checked = schema.safeParse(input);
  if (checked.success) return checked.data;
  const issues = checked.error.issues.map((i) => ({
    path: [...where, ...i.path.map(String)].join('.'),
    message: i.message,
  }));
  throw new ConfigError(
    `invalid options: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    issues,
  );
}
