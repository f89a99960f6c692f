import pluralize from 'pluralize';

export const fieldTypes = ['string', 'text', 'integer', 'bigint', 'decimal', 'boolean', 'date', 'datetime', 'json', 'references'] as const;
export type FieldType = (typeof fieldTypes)[number];

/** One `name:type[:unique|:index]` argument. */
export interface Field {
  /** As typed: `title`, or `user` for a reference. */
  name: string;
  /** The column: `title`, or `user_id` for a reference. */
  column: string;
  type: FieldType;
  unique: boolean;
  index: boolean;
  /** For references: the table and model pointed at. */
  target?: { table: string; model: string };
}

const reserved = new Set(['id', 'created_at', 'updated_at', 'password', 'type', 'constructor', 'prototype', 'toJSON']);

/** Parses the field arguments; any bad one throws, naming it and listing what is allowed. */
export function parseFields(specs: readonly string[]): Field[] {
  const seen = new Set<string>();
  return specs.map((spec) => {
    const [name = '', type = 'string', ...modifiers] = spec.split(':');
    if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`Field "${spec}": the name must be lower_snake_case (letters, digits, underscores, starting with a letter).`);
    if (reserved.has(name)) throw new Error(`Field "${spec}": "${name}" is reserved (id, created_at and updated_at are added for you).`);
    if (!(fieldTypes as readonly string[]).includes(type)) throw new Error(`Field "${spec}": unknown type "${type}". Valid types: ${fieldTypes.join(', ')}.`);
    for (const modifier of modifiers) {
      if (modifier !== 'unique' && modifier !== 'index') throw new Error(`Field "${spec}": unknown modifier "${modifier}". Valid modifiers: unique, index.`);
    }
    const column = type === 'references' ? `${name}_id` : name;
    if (seen.has(column)) throw new Error(`Field "${spec}": "${column}" is given twice.`);
    seen.add(column);
    const field: Field = { name, column, type: type as FieldType, unique: modifiers.includes('unique'), index: modifiers.includes('index') };
    if (type === 'references') {
      const model = name.split('_').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
      field.target = { table: pluralize.plural(name), model };
    }
    return field;
  });
}

/** The migration line that creates the column. */
export function columnCode(field: Field): string {
  const c = JSON.stringify(field.column);
  let code: string;
  switch (field.type) {
    case 'string':
      code = `table.string(${c}, 255).notNullable()`;
      break;
    case 'text':
      code = `table.text(${c}).notNullable().defaultTo('')`;
      break;
    case 'integer':
      code = `table.integer(${c}).notNullable().defaultTo(0)`;
      break;
    case 'bigint':
      code = `table.bigInteger(${c}).notNullable().defaultTo(0)`;
      break;
    case 'decimal':
      code = `table.decimal(${c}, 12, 2).notNullable().defaultTo(0)`;
      break;
    case 'boolean':
      code = `table.boolean(${c}).notNullable().defaultTo(false)`;
      break;
    case 'date':
      code = `table.date(${c})`;
      break;
    case 'datetime':
      code = `table.timestamp(${c}, { useTz: true })`;
      break;
    case 'json':
      code = `table.jsonb(${c}).notNullable().defaultTo('{}')`;
      break;
    case 'references':
      code = `table.integer(${c}).notNullable().references('id').inTable(${JSON.stringify(field.target!.table)}).onDelete('RESTRICT').index()`;
      break;
  }
  if (field.unique) code += '.unique()';
  if (field.index && field.type !== 'references') code += '.index()';
  return `${code};`;
}

/** The zod schema entry that validates the field's input (forms send strings; JSON sends values). */
export function schemaCode(field: Field): string {
  const blank = `{ message: "can't be blank" }`;
  switch (field.type) {
    case 'string':
      return `z.string(${blank}).trim().min(1, "can't be blank").max(255, 'is too long (at most 255 characters)')`;
    case 'text':
      return `z.string().max(100000, 'is too long').default('')`;
    case 'integer':
      return `z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(-2147483648, 'is too small').max(2147483647, 'is too large').default(0)`;
    case 'bigint':
      return `z.union([z.number().int(), z.string().regex(/^-?\\d{1,18}$/, 'must be a whole number')]).transform(String).default('0')`;
    case 'decimal':
      return `z.coerce.number({ message: 'must be a number' }).finite('must be a number').min(-9999999999.99, 'is too small').max(9999999999.99, 'is too large').default(0)`;
    case 'boolean':
      return `fields.boolean().default(false)`;
    case 'date':
    case 'datetime':
      return `fields.date()`;
    case 'json':
      return `fields.json().optional()`;
    case 'references':
      return `fields.id()`;
  }
}

/** The row property's TypeScript type (as node-pg returns the column). */
export function tsType(field: Field): string {
  switch (field.type) {
    case 'string':
    case 'text':
      return 'string';
    case 'integer':
    case 'references':
      return 'number';
    case 'bigint':
    case 'decimal':
      return 'string'; // pg returns these as strings, so no precision is lost
    case 'boolean':
      return 'boolean';
    case 'date':
    case 'datetime':
      return 'Date | null';
    case 'json':
      return 'unknown';
  }
}

/** The form builder call that edits the field. */
export function formCode(field: Field, human: (name: string) => string): string {
  const label = JSON.stringify(human(field.type === 'references' ? field.name : field.column));
  const column = JSON.stringify(field.column);
  switch (field.type) {
    case 'text':
    case 'json':
      return `f.textarea(${column}, ${label})`;
    case 'boolean':
      return `f.checkbox(${column}, ${label})`;
    case 'integer':
    case 'bigint':
    case 'decimal':
    case 'references':
      return `f.text(${column}, ${label}, { type: 'number' })`;
    case 'date':
      return `f.text(${column}, ${label}, { type: 'date' })`;
    case 'datetime':
      return `f.text(${column}, ${label}, { type: 'datetime-local' })`;
    case 'string':
      return `f.text(${column}, ${label}, { required: true })`;
  }
}

/**
 * A valid value for tests, as JSON would send it. With `sequence`, text values carry that
 * variable's value (so records made one after another stay unique).
 */
export function sampleValue(field: Field, n: number, sequence?: string): string {
  switch (field.type) {
    case 'string':
      return sequence ? `\`${field.column.replace(/_/g, ' ')} made \${${sequence}}\`` : JSON.stringify(`${field.column.replace(/_/g, ' ')} ${n}`);
    case 'text':
      return JSON.stringify(`Some ${field.column} ${n}`);
    case 'integer':
      return String(40 + n);
    case 'bigint':
      return JSON.stringify(`900719925474099${n}`);
    case 'decimal':
      return String(12.5 + n);
    case 'boolean':
      return n % 2 === 0 ? 'false' : 'true';
    case 'date':
      return JSON.stringify(`2026-0${n}-15`);
    case 'datetime':
      return JSON.stringify(`2026-0${n}-15T10:30:00.000Z`);
    case 'json':
      return `{ n: ${n} }`;
    case 'references':
      return `${field.name}Id`;
  }
}
