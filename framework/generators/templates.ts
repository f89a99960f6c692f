import type { Field } from './fields';
import { columnCode, formCode, sampleValue, schemaCode, tsType } from './fields';
import type { ResourceNames } from './names';

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
  const frameworkImports = [...(refs.length ? ['belongsTo'] : []), ...(usesFields ? ['fields'] : []), 'Model', ...(refs.length ? ['type Relations'] : [])];
  return `import { z } from 'zod';
import { ${frameworkImports.join(', ')} } from '../../framework';
${refs.map((f) => `import { ${f.target!.model} } from './${f.target!.model}';\n`).join('')}
export interface ${n.model}Row {
  id: number;
${fields.map((f) => `  ${f.column}: ${tsType(f)};`).join('\n')}
  created_at: Date;
  updated_at: Date;
}

/** ${n.human}. Table \`${n.plural}\`. */
export class ${n.model} extends Model<${n.model}Row> {
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

export function controllerTemplate(n: ResourceNames): string {
  const v = n.variable;
  return `import { before } from '../../framework';
import { ${n.model} } from '../models/${n.model}';
import { ApplicationController } from './ApplicationController';
import { pageParams } from './concerns';

/** ${n.human} records, as HTML pages and as a JSON API from the same actions. Changing them needs a signed-in user. */
export class ${n.controller} extends ApplicationController {
  static override before = [
    ...ApplicationController.before,
    before('requireLogin', { except: ['index', 'show'] }),
    before('load${n.model}', { only: ['show', 'edit', 'update', 'destroy'] }),
  ];

  private ${v}!: ${n.model};

  async load${n.model}() {
    this.${v} = await ${n.model}.findOrFail(this.params.id!);
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
  async create() {
    const ${v} = await this.rescueInvalid(
      () => ${n.model}.create(this.body),
      (errors) => this.render('new', { title: 'New ${n.human.toLowerCase()}', ${v}: this.body, errors }),
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
    const ${v} = await this.rescueInvalid(
      () => this.${v}.update(this.body),
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

export function viewTemplates(n: ResourceNames, fields: readonly Field[]): Record<string, string> {
  const v = n.variable;
  const listed = fields.filter((f) => f.type !== 'text' && f.type !== 'json').slice(0, 4);
  return {
    'index.ejs': `<div class="heading">
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
    'show.ejs': `<div class="heading">
  <h1><%= title %></h1>
<% if (locals.currentUser) { -%>
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
    '_form.ejs': `<% const f = formFor(${v}, { action, method, errors, id: '${n.singular}' }) -%>
<%- f.open() %>
${fields.map((f) => `  <%- ${formCode(f, human)} %>`).join('\n')}
  <%- f.submit(submit) %>
<%- f.close() %>
`,
    'new.ejs': `<h1><%= title %></h1>
<%- include('_form', { ${v}, errors, action: url('${n.plural}.create'), method: 'post', submit: 'Create' }) %>
<p><a href="<%= url('${n.plural}.index') %>">Back</a></p>
`,
    'edit.ejs': `<h1><%= title %></h1>
<%- include('_form', { ${v}, errors, action: url('${n.plural}.update', { id: ${v}.id }), method: 'patch', submit: 'Save changes' }) %>
<p><a href="<%= url('${n.plural}.show', { id: ${v}.id }) %>">Cancel</a></p>
`,
  };
}

/** Request tests for every action of a generated resource, in HTML and JSON. */
export function resourceTestTemplate(n: ResourceNames, fields: readonly Field[]): string {
  const refs = fields.filter((f) => f.type === 'references');
  const attrs = (k: number) => `{ ${fields.map((f) => `${f.column}: ${sampleValue(f, k)}`).join(', ')} }`;
  const made = `{ ${fields.map((f) => `${f.column}: ${sampleValue(f, 1, 'sequence')}`).join(', ')} }`;
  const required = fields.find((f) => f.type === 'string');
  return `import request from 'supertest';
import { ${n.model} } from '../../../app/models/${n.model}';
import { useTestApp } from '../../support/app';
import { createUser, signIn, signInJson } from '../../support/auth';

const t = useTestApp();
const json = 'application/json';
${refs.map((f) => `let ${f.name}Id: number;`).join('\n')}

let sequence = 0;

async function make${n.model}() {
  sequence += 1;
  return ${n.model}.create(${made});
}

describe('${n.plural}', () => {
  let email: string;

  beforeAll(async () => {
    email = (await createUser()).email;
${refs.map((f) => `    ${f.name}Id = (await t.knex('${f.target!.table}').first('id')).id;`).join('\n')}
  });

  test('GET /${n.plural} lists them, in HTML and JSON', async () => {
    const record = await make${n.model}();
    const html = await request(t.app).get('/${n.plural}');
    expect(html.status).toBe(200);
    expect(html.text).toContain(\`href="/${n.plural}/\${record.id}"\`);
    const api = await request(t.app).get('/${n.plural}').set('Accept', json);
    expect(api.status).toBe(200);
    expect(api.body.meta.total).toBe(await ${n.model}.count());
    expect(api.body.data.map((r: { id: number }) => r.id)).toContain(record.id);
  });

  test('GET /${n.plural}/:id shows one, in HTML and JSON; a missing one is a 404', async () => {
    const record = await make${n.model}();
    expect((await request(t.app).get(\`/${n.plural}/\${record.id}\`)).status).toBe(200);
    const api = await request(t.app).get(\`/${n.plural}/\${record.id}\`).set('Accept', json);
    expect(api.body.id).toBe(record.id);
    expect((await request(t.app).get('/${n.plural}/987654').set('Accept', json)).status).toBe(404);
    expect((await request(t.app).get('/${n.plural}/abc')).status).toBe(404);
  });

  test('GET /${n.plural}/new needs a signed-in user, and shows the form', async () => {
    const anonymous = await request(t.app).get('/${n.plural}/new');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.location).toBe('/login/');
    const { agent } = await signIn(t.app, email);
    const form = await agent.get('/${n.plural}/new');
    expect(form.status).toBe(200);
    expect(form.text).toContain('action="/${n.plural}"');
  });

  test('POST /${n.plural} creates one: 201 with Location in JSON, 303 and a flash in HTML', async () => {
    const agent = await signInJson(t.app, email);
    const res = await agent.post('/${n.plural}').set('Accept', json).send(${attrs(2)});
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(\`/${n.plural}/\${res.body.id}\`);
    expect(await t.knex('${n.plural}').where({ id: res.body.id }).first()).toBeDefined();

    const browser = await signIn(t.app, email);
    const before = await ${n.model}.count();
    const form = await browser.agent.post('/${n.plural}').type('form').send({ _csrf: browser.csrf, ...formValues(${attrs(3)}) });
    expect(form.status).toBe(303);
    expect(await ${n.model}.count()).toBe(before + 1);
    expect((await browser.agent.get(form.headers.location!)).text).toContain('${n.human} was created.');
  });
${
  required
    ? `
  test('invalid input is a 422: problem+json with errors, or the form again with the messages', async () => {
    const agent = await signInJson(t.app, email);
    const before = await ${n.model}.count();
    const res = await agent.post('/${n.plural}').set('Accept', json).send({ ...${attrs(4)}, ${required.column}: '' });
    expect(res.status).toBe(422);
    expect(JSON.parse(res.text).errors.${required.column}).toEqual(["can't be blank"]);
    const browser = await signIn(t.app, email);
    const form = await browser.agent.post('/${n.plural}').type('form').send({ _csrf: browser.csrf, ...formValues(${attrs(4)}), ${required.column}: '' });
    expect(form.status).toBe(422);
    expect(form.text).toContain("can&#39;t be blank");
    expect(await ${n.model}.count()).toBe(before);
  });
`
    : ''
}
  test('GET /${n.plural}/:id/edit shows the form filled in', async () => {
    const record = await make${n.model}();
    const { agent } = await signIn(t.app, email);
    const res = await agent.get(\`/${n.plural}/\${record.id}/edit\`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<input type="hidden" name="_method" value="PATCH">');
  });

  test('PATCH /${n.plural}/:id updates it, in JSON and through the form', async () => {
    const record = await make${n.model}();
    const agent = await signInJson(t.app, email);
    const res = await agent.patch(\`/${n.plural}/\${record.id}\`).set('Accept', json).send(${attrs(5)});
    expect(res.status).toBe(200);
    const browser = await signIn(t.app, email);
    const form = await browser.agent.post(\`/${n.plural}/\${record.id}\`).type('form').send({ _csrf: browser.csrf, _method: 'PATCH', ...formValues(${attrs(6)}) });
    expect(form.status).toBe(303);
    expect((await browser.agent.get(form.headers.location!)).text).toContain('${n.human} was updated.');
  });

  test('DELETE /${n.plural}/:id deletes it, in JSON and through the form', async () => {
    const agent = await signInJson(t.app, email);
    const first = await make${n.model}();
    expect((await agent.delete(\`/${n.plural}/\${first.id}\`).set('Accept', json)).status).toBe(204);
    expect(await ${n.model}.find(first.id)).toBeUndefined();
    const second = await make${n.model}();
    const browser = await signIn(t.app, email);
    const form = await browser.agent.post(\`/${n.plural}/\${second.id}\`).type('form').send({ _csrf: browser.csrf, _method: 'DELETE' });
    expect(form.status).toBe(303);
    expect(await ${n.model}.find(second.id)).toBeUndefined();
  });

  test('writing without signing in is a 401, and nothing is written', async () => {
    const before = await ${n.model}.count();
    expect((await request(t.app).post('/${n.plural}').set('Accept', json).send(${attrs(7)})).status).toBe(401);
    expect(await ${n.model}.count()).toBe(before);
  });
});

/** Values as an HTML form sends them: strings, JSON as text. */
function formValues(values: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)]));
}
`;
}

export function controllerOnlyTemplate(controller: string, folder: string, actions: readonly string[]): string {
  return `import { ApplicationController } from './ApplicationController';

/** Pages under /${folder}. */
export class ${controller} extends ApplicationController {
${actions.map((a) => `  /** GET /${folder}${a === 'index' ? '' : `/${a}`} */\n  async ${a}() {\n    this.render('${a}', { title: '${human(a)}' });\n  }`).join('\n\n')}
}
`;
}

export function controllerTestTemplate(folder: string, actions: readonly string[]): string {
  return `import request from 'supertest';
import { useTestApp } from '../../support/app';

const t = useTestApp();

describe('/${folder}', () => {
${actions
  .map(
    (a) => `  test('GET /${folder}${a === 'index' ? '' : `/${a}`} renders its page', async () => {
    const res = await request(t.app).get('/${folder}${a === 'index' ? '' : `/${a}`}');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>${human(a)}</h1>');
  });`,
  )
  .join('\n\n')}
});
`;
}

export function actionViewTemplate(controller: string, folder: string, action: string): string {
  return `<h1>${human(action)}</h1>
<p>Find me in <code>views/${folder}/${action}.ejs</code>; my action is <code>${controller}#${action}</code>.</p>
`;
}

export function modelTestTemplate(n: ResourceNames, fields: readonly Field[]): string {
  const refs = fields.filter((f) => f.type === 'references');
  const required = fields.find((f) => f.type === 'string');
  const attrs = `{ ${fields.map((f) => `${f.column}: ${sampleValue(f, 1, '++sequence')}`).join(', ')} }`;
  return `import { ${n.model} } from '../../../app/models/${n.model}';
import { useTestApp } from '../../support/app';

const t = useTestApp();
let sequence = 0;
${refs.map((f) => `let ${f.name}Id: number;`).join('\n')}

describe('${n.model}', () => {
  beforeAll(async () => {
${refs.map((f) => `    ${f.name}Id = (await t.knex('${f.target!.table}').first('id')).id;`).join('\n')}
  });

  test('create stores a row and find reads it back', async () => {
    const record = await ${n.model}.create(${attrs});
    expect(record).toBeInstanceOf(${n.model});
    expect(await t.knex('${n.plural}').where({ id: record.id }).first()).toBeDefined();
    expect((await ${n.model}.find(record.id))?.id).toBe(record.id);
  });
${
  required
    ? `
  test('invalid input is refused with a message per field', async () => {
    await expect(${n.model}.create({ ...${attrs}, ${required.column}: '' })).rejects.toMatchObject({ status: 422, errors: { ${required.column}: ["can't be blank"] } });
  });
`
    : ''
}
  test('update and delete', async () => {
    const record = await ${n.model}.create(${attrs});
    await record.update({});
    expect(await record.delete()).toBe(true);
    expect(await ${n.model}.find(record.id)).toBeUndefined();
  });
});
`;
}
