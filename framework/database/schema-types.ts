import type { Knex } from 'knex';
import { propertyKey, writeGenerated, type GeneratedOutcome } from '../support';

/** One column as the catalog describes it. */
export interface ColumnInfo {
  table: string;
  name: string;
  /** `udt_name`: `int4`, `varchar`, `_text` (an array of text), or an enum's name. */
  type: string;
  nullable: boolean;
  /** Has a default, or is an identity column: may be left out of an insert. */
  defaulted: boolean;
  /** A generated column: never written. */
  generated: boolean;
}

/** The tables of the current schema and the enums they may use, read from the catalog. */
export interface SchemaInfo {
  columns: ColumnInfo[];
  enums: Record<string, string[]>;
}

/** knex's own bookkeeping, which no model reads. */
const skippedTables = new Set(['knex_migrations', 'knex_migrations_lock']);

/** Reads the columns of every table in the current schema (information_schema) and its enums (pg_catalog). */
export async function readSchema(db: Knex): Promise<SchemaInfo> {
  const columns = await db.raw(`
    select c.table_name, c.column_name, c.udt_name, c.is_nullable, c.column_default, c.is_identity, c.is_generated
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
    order by c.table_name, c.ordinal_position`);
  const enums = await db.raw(`
    select t.typname, e.enumlabel
    from pg_catalog.pg_type t
    join pg_catalog.pg_enum e on e.enumtypid = t.oid
    join pg_catalog.pg_namespace n on n.oid = t.typnamespace
    where n.nspname = current_schema()
    order by t.typname, e.enumsortorder`);
  const info: SchemaInfo = { columns: [], enums: {} };
  for (const row of columns.rows as Record<string, string | null>[]) {
    if (skippedTables.has(row.table_name!)) continue;
    info.columns.push({
      table: row.table_name!,
      name: row.column_name!,
      type: row.udt_name!,
      nullable: row.is_nullable === 'YES',
      defaulted: row.column_default !== null || row.is_identity === 'YES',
      generated: row.is_generated === 'ALWAYS',
    });
  }
  for (const row of enums.rows as { typname: string; enumlabel: string }[]) (info.enums[row.typname] ??= []).push(row.enumlabel);
  return info;
}

/** Row and insert types of a PostgreSQL type, as `pg` returns and accepts it (int8 and numeric are strings: they may not fit a number). */
const scalarTypes: Record<string, { row: string; insert: string }> = {};
const scalar = (names: string, row: string, insert = row) => names.split(' ').forEach((name) => (scalarTypes[name] = { row, insert }));
scalar('int2 int4 float4 float8 oid', 'number');
scalar('int8 numeric money', 'string', 'string | number | bigint');
scalar('bool', 'boolean');
scalar('text varchar bpchar char name citext uuid inet cidr macaddr time timetz xml', 'string');
scalar('timestamptz timestamp date', 'Date', 'Date | string');
scalar('json jsonb', 'unknown');
scalar('bytea', 'Buffer');

function typeOf(udtName: string, enums: SchemaInfo['enums'], side: 'row' | 'insert'): string {
  if (udtName.startsWith('_')) {
    const element = typeOf(udtName.slice(1), enums, side);
    return /^[\w.]+$/.test(element) ? `${element}[]` : `Array<${element}>`;
  }
  const labels = enums[udtName];
  if (labels) return labels.map((label) => JSON.stringify(label)).join(' | ');
  return scalarTypes[udtName]?.[side] ?? 'unknown';
}

/** `rate_limits` → `RateLimits`. */
export function typeName(table: string): string {
  const name = table.replace(/(^|[^A-Za-z0-9]+)([A-Za-z0-9])/g, (_m, _sep: string, c: string) => c.toUpperCase());
  return /^\d/.test(name) ? `T${name}` : name;
}

/**
 * The TypeScript of a schema: per table a row type (what a select returns; nullable columns
 * `| null`) and an insert type (columns with a default, or nullable, may be left out), and the
 * `Tables` and `Inserts` maps from table name to those types.
 */
export function renderSchemaTypes(schema: SchemaInfo): string {
  const tables = new Map<string, ColumnInfo[]>();
  for (const column of schema.columns) tables.set(column.table, [...(tables.get(column.table) ?? []), column]);
  const out: string[] = ['// One row type and one insert type per table of the migrated database: models extend `Model<Row, Insert>`.', ''];
  for (const [table, columns] of tables) {
    const name = typeName(table);
    out.push(`/** A row of \`${table}\`. */`, `export interface ${name} {`);
    for (const c of columns) out.push(`  ${propertyKey(c.name)}: ${typeOf(c.type, schema.enums, 'row')}${c.nullable ? ' | null' : ''};`);
    out.push('}', '', `/** What an insert into \`${table}\` takes: columns with a default, or nullable, may be left out. */`, `export interface ${name}Insert {`);
    for (const c of columns) {
      if (c.generated) continue;
      out.push(`  ${propertyKey(c.name)}${c.defaulted || c.nullable ? '?' : ''}: ${typeOf(c.type, schema.enums, 'insert')}${c.nullable ? ' | null' : ''};`);
    }
    out.push('}', '');
  }
  out.push('/** Every table by name, as its row type. */', 'export interface Tables {');
  for (const table of tables.keys()) out.push(`  ${propertyKey(table)}: ${typeName(table)};`);
  out.push('}', '', '/** Every table by name, as its insert type. */', 'export interface Inserts {');
  for (const table of tables.keys()) out.push(`  ${propertyKey(table)}: ${typeName(table)}Insert;`);
  out.push('}');
  return out.join('\n');
}

/** Reads the migrated schema of `db` and writes its types to `file` (with `check`, only says whether the file is stale). */
export async function writeSchemaTypes(db: Knex, file: string, options: { check?: boolean } = {}): Promise<GeneratedOutcome> {
  return writeGenerated(file, renderSchemaTypes(await readSchema(db)), { check: options.check, madeBy: 'npm run db:types' });
}
