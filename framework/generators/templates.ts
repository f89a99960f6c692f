import { typeName } from '../database';
import { type Field, columnCode, formCode, schemaCode } from './fields';
import { importFrom, type ResourceNames } from './names';

const human = (name: string) => name.replace(/_id$/, '').replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

export function migrationTemplate(table: string, fields: readonly Field[]): string {
  return `import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('${table}', (table) => {
    table.increments('id');
${fields.map((f) => `    ${columnCode(f)}`).join('\n')}
    table.timestamps(true, true);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('${table}');
}
`;
}

export function modelTemplate(n: ResourceNames, fields: readonly Field[]): string {
  const refs = fields.filter((f) => f.type === 'references');
  const usesFields = fields.some((f) => ['boolean', 'references', 'date', 'datetime', 'json'].includes(f.type));
  const frameworkImports = [...(refs.length ? ['belongsTo'] : []), ...(usesFields ? ['fields'] : []), 'Model', ...(refs.length ? ['type Relations'] : []), 'type TableInsert', 'type TableRow'];
  const modelFile = `app/models/${n.model}.ts`;
  return `import { z } from 'zod';
import { ${frameworkImports.join(', ')} } from '${importFrom(modelFile, 'framework')}';
import type { Inserts, Tables } from '${importFrom(modelFile, 'db/schema')}';
${refs.map((f) => `import { ${f.target!.model} } from './${f.target!.model}';\n`).join('')}
/**
 * ${n.human}. Table \`${n.plural}\`: its row and insert types are db/schema.ts's, which \`npm run db:migrate\`
 * rewrites (until then the fields are loosely typed). Once it has, \`Model<${typeName(n.plural)}, ${typeName(n.plural)}Insert>\` says the same.
 */
export class ${n.model} extends Model<TableRow<Tables, '${n.plural}'>, TableInsert<Inserts, '${n.plural}'>> {
  static override table = '${n.plural}';

  static override schema = z.object({
${fields.map((f) => `    ${f.column}: ${schemaCode(f)},`).join('\n')}
  });
${
  refs.length
    ? `
  static override relations: Relations = {
${refs.map((f) => `    ${f.name}: belongsTo(() => ${f.target!.model}, { foreignKey: '${f.column}' }),`).join('\n')}
  };
${refs.map((f) => `\n  /** Loaded by \`.with('${f.name}')\`. */\n  declare ${f.name}?: ${f.target!.model};`).join('\n')}
`
    : ''
}}
`;
}

export function controllerTemplate(n: ResourceNames, owner?: Field): string {
  const v = n.variable;
  const records = n.plural.replace(/_/g, ' ');
  const ownerColumn = owner?.column;
  return `import { before } from '../../framework';
import { ${n.model} } from '../models/${n.model}';
import { ApplicationController } from './ApplicationController';
import { pageParams } from './concerns';

/** ${n.human} records, as HTML pages and as a JSON API from the same actions. Changing them needs a signed-in user${ownerColumn ? ', and only the owner changes one' : ''}. */
export class ${n.controller} extends ApplicationController {
  static override before = [
    ...ApplicationController.before,
    before('requireLogin', { except: ['index', 'show'] }),
    before('load${n.model}', { only: ['show', 'edit', 'update', 'destroy'] }),${ownerColumn ? `
    before('requireOwner', { only: ['edit', 'update', 'destroy'] }),` : ''}
  ];

  private ${v}!: ${n.model};

  async load${n.model}() {
    this.${v} = await ${n.model}.findOrFail(this.params.id!);
  }
${
  ownerColumn
    ? `
  async requireOwner() {
    this.authorize(this.${v}.${ownerColumn} === this.currentUser?.id, 'You can only change your own ${records}.');
  }
`
    : ''
}
  /** GET /${n.plural} */
  async index() {
    const { page, per_page } = this.validate(pageParams, this.query);
    const records = await ${n.model}.paginate(page, per_page);
    this.respond({
      html: () => this.render('index', { title: '${pluralTitle(n)}', records }),
      json: () => this.json(this.paginated(records)),
    });
  }

  /** GET /${n.plural}/:id */
  async show() {
    this.respond({
      html: () => this.render('show', { title: '${n.human} ' + this.${v}.id, ${v}: this.${v} }),
      json: () => this.json(this.${v}),
    });
  }

  /** GET /${n.plural}/new */
  async new() {
    this.render('new', { title: 'New ${n.human.toLowerCase()}', ${v}: {}, errors: {} });
  }

  /** POST /${n.plural} */
  async create() {${ownerColumn ? `
    // The owner is whoever is signed in, whatever the body says.` : ''}
    const input: Record<string, unknown> = ${ownerColumn ? `{ ...this.body, ${ownerColumn}: this.currentUser!.id }` : 'this.body'};
    const ${v} = await this.rescueInvalid(
      () => ${n.model}.create(input),
      (errors) => this.render('new', { title: 'New ${n.human.toLowerCase()}', ${v}: input, errors }),
    );
    if (!${v}) return;
    const location = this.url('${n.plural}.show', { id: ${v}.id });
    this.respond({
      html: () => {
        this.flash('notice', '${n.human} was created.');
        this.redirect(location, 303);
      },
      json: () => this.created(${v}, location),
    });
  }

  /** GET /${n.plural}/:id/edit */
  async edit() {
    this.render('edit', { title: 'Edit ${n.human.toLowerCase()}', ${v}: this.${v}, errors: {} });
  }

  /** PATCH /${n.plural}/:id */
  async update() {
    ${ownerColumn ? `const { ${ownerColumn}: _owner, ...changes } = this.body; // the owner never changes` : 'const changes = this.body;'}
    const ${v} = await this.rescueInvalid(
      () => this.${v}.update(changes),
      (errors) => this.render('edit', { title: 'Edit ${n.human.toLowerCase()}', ${v}: { ...this.${v}, ...this.body }, errors }),
    );
    if (!${v}) return;
    this.respond({
      html: () => {
        this.flash('notice', '${n.human} was updated.');
        this.redirect(this.url('${n.plural}.show', { id: ${v}.id }), 303);
      },
      json: () => this.json(${v}),
    });
  }

  /** DELETE /${n.plural}/:id */
  async destroy() {
    await this.${v}.delete();
    this.respond({
      html: () => {
        this.flash('notice', '${n.human} was deleted.');
        this.redirect(this.url('${n.plural}.index'), 303);
      },
      json: () => this.head(204),
    });
  }
}
`;
}

function pluralTitle(n: ResourceNames): string {
  return n.plural.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

function display(field: Field, record: string): string {
  if (field.type === 'boolean') return `<%= ${record}.${field.column} ? 'yes' : 'no' %>`;
  if (field.type === 'date' || field.type === 'datetime') return `<%= formatDate(${record}.${field.column}) %>`;
  if (field.type === 'json') return `<code><%= JSON.stringify(${record}.${field.column}) %></code>`;
  return `<%= ${record}.${field.column} %>`;
}

/** The views of a resource; each declares its locals on its first line, so tsc checks it and its renders. */
export function viewTemplates(n: ResourceNames, fields: readonly Field[], owner?: Field): Record<string, string> {
  const v = n.variable;
  // The owner comes from the session, so the form has no field for it.
  const editable = fields.filter((f) => f !== owner);
  const mayChange = owner ? `locals.currentUser && currentUser.id === ${v}.${owner.column}` : 'locals.currentUser';
  const listed = fields.filter((f) => f.type !== 'text' && f.type !== 'json').slice(0, 4);
  return {
    'index.ejs': `<%# locals: { records: Page<${n.model}> } -%>
<div class="heading">
  <h1><%= title %></h1>
<% if (locals.currentUser) { %>  <a class="button" href="<%= url('${n.plural}.new') %>">New ${n.human.toLowerCase()}</a><% } %>
</div>
<p class="muted"><%= pluralize(records.total, '${n.human.toLowerCase()}') %></p>
<table class="table">
  <thead><tr><th>#</th>${listed.map((f) => `<th>${human(f.column)}</th>`).join('')}</tr></thead>
  <tbody>
<% records.data.forEach((record) => { -%>
    <tr><td><a href="<%= url('${n.plural}.show', { id: record.id }) %>"><%= record.id %></a></td>${listed.map((f) => `<td>${display(f, 'record')}</td>`).join('')}</tr>
<% }) -%>
  </tbody>
</table>
<%- pager(records, request) %>
`,
    'show.ejs': `<%# locals: { ${v}: ${n.model} } -%>
<div class="heading">
  <h1><%= title %></h1>
<% if (${mayChange}) { -%>
  <div class="actions">
    <a class="button secondary" href="<%= url('${n.plural}.edit', { id: ${v}.id }) %>">Edit</a>
    <%- buttonTo('Delete', url('${n.plural}.destroy', { id: ${v}.id }), { method: 'delete', class: 'button danger' }) %>
  </div>
<% } -%>
</div>
<dl class="details">
${fields.map((f) => `  <dt>${human(f.column)}</dt><dd>${display(f, v)}</dd>`).join('\n')}
</dl>
<p><a href="<%= url('${n.plural}.index') %>">All ${n.plural.replace(/_/g, ' ')}</a></p>
`,
    '_form.ejs': `<%# locals: { ${v}: object; errors: FieldErrors; action: string; method: string; submit: string } -%>
<% const f = formFor(${v}, { action, method, errors, id: '${n.singular}' }) -%>
<%- f.open() %>
${editable.map((f) => `  <%- ${formCode(f, human)} %>`).join('\n')}
  <%- f.submit(submit) %>
<%- f.close() %>
`,
    'new.ejs': `<%# locals: { ${v}: object; errors: FieldErrors } -%>
<h1><%= title %></h1>
<%- include('_form', { ${v}, errors, action: url('${n.plural}.create'), method: 'post', submit: 'Create' }) %>
<p><a href="<%= url('${n.plural}.index') %>">Back</a></p>
`,
    'edit.ejs': `<%# locals: { ${v}: { id: number }; errors: FieldErrors } -%>
<h1><%= title %></h1>
<%- include('_form', { ${v}, errors, action: url('${n.plural}.update', { id: ${v}.id }), method: 'patch', submit: 'Save changes' }) %>
<p><a href="<%= url('${n.plural}.show', { id: ${v}.id }) %>">Cancel</a></p>
`,
  };
}

export function controllerOnlyTemplate(controller: string, folder: string, actions: readonly string[]): string {
  return `import { ApplicationController } from './ApplicationController';

/** Pages under /${folder}. */
export class ${controller} extends ApplicationController {
${actions.map((a) => `  /** GET /${folder}${a === 'index' ? '' : `/${a}`} */\n  async ${a}() {\n    this.render('${a}', { title: '${human(a)}' });\n  }`).join('\n\n')}
}
`;
}

export function actionViewTemplate(controller: string, folder: string, action: string): string {
  return `<%# locals: {} -%>
<h1>${human(action)}</h1>
<p>Find me in <code>views/${folder}/${action}.ejs</code>; my action is <code>${controller}#${action}</code>.</p>
`;
}

