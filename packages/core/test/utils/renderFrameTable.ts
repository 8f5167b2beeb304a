import type * as z from 'zod/mini';
import type { FieldCheck, FieldRule, FrameTable } from '../../src/wire/frameTable.js';

// Reads a zod/mini discriminated union the way frameTable.ts needs it. Anything outside the
// subset parseFrame understands throws here, so a schema change that the table could not
// express fails the staleness test instead of validating differently.

type Def = {
  type: string;
  checks?: { _zod: { def: Record<string, unknown> } }[];
  format?: string;
  innerType?: { _zod: { def: Def } };
  keyType?: { _zod: { def: Def } };
  valueType?: { _zod: { def: Def } };
  entries?: Record<string, string>;
  values?: unknown[];
  shape?: Record<string, { _zod: { def: Def } }>;
  options?: { _zod: { def: Def } }[];
};

const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

function checksOf(def: Def, where: string): FieldCheck[] {
  return (def.checks ?? []).map(({ _zod: { def: c } }) => {
    if (c.check === 'min_length') return { min: c.minimum as number };
    if (c.check === 'max_length') return { max: c.maximum as number };
    if (c.check === 'greater_than' && c.inclusive) return { min: c.value as number };
    if (c.check === 'less_than' && c.inclusive) return { max: c.value as number };
    if (c.check === 'string_format' && c.format === 'regex') {
      return { pattern: c.pattern as RegExp };
    }
    throw new Error(`${where}: frameTable.ts has no check ${String(c.check)}`);
  });
}

function ruleOf(def: Def, where: string): FieldRule {
  if (def.type === 'optional' && def.innerType) {
    return { ...ruleOf(defOf(def.innerType), where), optional: true };
  }
  const checks = checksOf(def, where);
  const withChecks = (rule: FieldRule): FieldRule => (checks.length ? { ...rule, checks } : rule);
  switch (def.type) {
    case 'string':
      if (def.format) break;
      return withChecks({ type: 'string' });
    case 'number':
      if (def.format !== 'safeint') break;
      return withChecks({ type: 'int' });
    case 'boolean':
      return { type: 'boolean' };
    case 'enum':
      return { type: 'enum', values: Object.values(def.entries ?? {}) };
    case 'record': {
      const key = def.keyType && defOf(def.keyType);
      const value = def.valueType && defOf(def.valueType);
      if (key?.type === 'string' && !key.checks && value?.type === 'string' && !value.checks) {
        return { type: 'record' };
      }
      break;
    }
  }
  throw new Error(`${where}: frameTable.ts cannot express this ${def.type}`);
}

/**
 * The {@link FrameTable} of a channel (a zod/mini discriminated union on `type`).
 *
 * @example
 * tableOf(ToVisitor).blur; // { epoch: { type: 'int', checks: [{ min: 0 }] } }
 */
export function tableOf(channel: z.ZodMiniType): FrameTable {
  const table: Record<string, Record<string, FieldRule>> = {};
  for (const option of defOf(channel).options ?? []) {
    const { shape = {} } = defOf(option);
    const { type: discriminator, ...fields } = shape;
    const type = discriminator && defOf(discriminator).values?.[0];
    if (typeof type !== 'string') throw new Error('every message has a literal string type');
    table[type] = Object.fromEntries(
      Object.entries(fields).map(([name, f]) => [name, ruleOf(defOf(f), `${type}.${name}`)]),
    );
  }
  return table;
}

/**
 * The source of a generated table module: `name` bound to {@link tableOf}'s table, with
 * each list of enum values written once.
 *
 * @example
 * renderFrameTable('TO_VISITOR', 'ToVisitor', ToVisitor);
 */
export function renderFrameTable(name: string, schemaName: string, channel: z.ZodMiniType): string {
  const table = tableOf(channel);
  const lists: string[] = [];
  const listName = (values: readonly string[]) => {
    const text = JSON.stringify(values);
    let i = lists.indexOf(text);
    if (i < 0) i = lists.push(text) - 1;
    return `VALUES_${i}`;
  };
  const value = (v: unknown): string =>
    v instanceof RegExp ? String(v) : typeof v === 'string' ? `'${v}'` : String(v);
  const rule = (r: FieldRule) => {
    const parts = [`type: '${r.type}'`];
    if (r.optional) parts.push('optional: true');
    if (r.checks) {
      const checks = r.checks.map(
        (c) =>
          `{ ${Object.entries(c)
            .map(([k, v]) => `${k}: ${value(v)}`)
            .join(', ')} }`,
      );
      parts.push(`checks: [${checks.join(', ')}]`);
    }
    if (r.values) parts.push(`values: ${listName(r.values)}`);
    return parts;
  };
  // Laid out as the repository's formatter (biome, 100 columns) would, so it leaves it be.
  const field = (name: string, r: FieldRule) => {
    const parts = rule(r);
    const line = `    ${name}: { ${parts.join(', ')} },\n`;
    if (line.length <= 101) return line;
    return `    ${name}: {\n${parts.map((p) => `      ${p},\n`).join('')}    },\n`;
  };
  const body = Object.entries(table)
    .map(([type, fields]) => {
      const lines = Object.entries(fields).map(([f, r]) => field(f, r));
      return lines.length ? `  ${type}: {\n${lines.join('')}  },\n` : `  ${type}: {},\n`;
    })
    .join('');
  const consts = lists.map((text, i) => {
    const items = (JSON.parse(text) as string[]).map((v) => `  '${v}',\n`).join('');
    return `const VALUES_${i} = [\n${items}] as const;\n`;
  });
  return `// Generated from ${schemaName} in protocol.ts by test/frameTable.test.ts: do not edit. After
// changing the schema, run \`npx vitest run -u test/frameTable.test.ts\` in packages/core.
import type { FrameTable } from './frameTable.js';

${consts.join('\n')}
/** {@link FrameTable} of the \`${schemaName}\` channel. */
export const ${name}: FrameTable = {
${body}};
`;
}
