import { sampleValue, type Field } from './fields';
import { importFrom, type ResourceNames } from './names';

const human = (name: string) => name.replace(/_id$/, '').replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

/** Request tests for every action of a generated resource, in HTML and JSON. */
export function resourceTestTemplate(n: ResourceNames, fields: readonly Field[], owner?: Field): string {
  const refs = fields.filter((f) => f.type === 'references');
  const others = refs.filter((f) => f !== owner);
  const attrs = (k: number) => `{ ${fields.map((f) => `${f.column}: ${sampleValue(f, k)}`).join(', ')} }`;
  const made = `{ ${fields.map((f) => `${f.column}: ${sampleValue(f, 1, 'sequence')}`).join(', ')} }`;
  const required = fields.find((f) => f.type === 'string');
  return `import request from 'supertest';
import { ${n.model} } from '${importFrom(`test/app/controllers/${n.plural}.test.ts`, `app/models/${n.model}`)}';
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
  let email: string;${owner ? `
  let someoneElse: { id: number; email: string };` : ''}

  beforeAll(async () => {
    const me = await createUser();
    email = me.email;${owner ? `
    // Records made here belong to the signed-in user.
    ${owner.name}Id = me.id;
    someoneElse = await createUser();` : ''}
${others.map((f) => `    ${f.name}Id = (await t.knex('${f.target!.table}').first('id')).id;`).join('\n')}
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

${owner ? ownerTests(n, owner, attrs) : ''}  test('writing without signing in is a 401, and nothing is written', async () => {
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

/** The owner of a record is the signed-in user: never taken from the request, and the only one who may change it. */
function ownerTests(n: ResourceNames, owner: Field, attrs: (k: number) => string): string {
  const column = owner.column;
  return `  test('the ${owner.name} is whoever is signed in: ${column} in the body is ignored, and the form has no field for it', async () => {
    const agent = await signInJson(t.app, email);
    const res = await agent.post('/${n.plural}').set('Accept', json).send({ ...${attrs(8)}, ${column}: someoneElse.id });
    expect(res.status).toBe(201);
    expect((await t.knex('${n.plural}').where({ id: res.body.id }).first()).${column}).toBe(${owner.name}Id);
    const changed = await agent.patch(\`/${n.plural}/\${res.body.id}\`).set('Accept', json).send({ ${column}: someoneElse.id });
    expect(changed.status).toBe(200);
    expect((await t.knex('${n.plural}').where({ id: res.body.id }).first()).${column}).toBe(${owner.name}Id);
    const { agent: browser } = await signIn(t.app, email);
    for (const page of ['/${n.plural}/new', \`/${n.plural}/\${res.body.id}/edit\`]) {
      const form = await browser.get(page);
      expect(form.status).toBe(200);
      expect(form.text).not.toContain('name="${column}"');
    }
  });

  test('someone else cannot edit, update or delete it: 403, and the row is unchanged', async () => {
    const record = await make${n.model}();
    const row = await t.knex('${n.plural}').where({ id: record.id }).first();
    const agent = await signInJson(t.app, someoneElse.email);
    expect((await agent.patch(\`/${n.plural}/\${record.id}\`).set('Accept', json).send(${attrs(9)})).status).toBe(403);
    expect((await agent.delete(\`/${n.plural}/\${record.id}\`).set('Accept', json)).status).toBe(403);
    const browser = await signIn(t.app, someoneElse.email);
    expect((await browser.agent.get(\`/${n.plural}/\${record.id}/edit\`)).status).toBe(403);
    const page = await browser.agent.get(\`/${n.plural}/\${record.id}\`);
    expect(page.text).not.toContain(\`/${n.plural}/\${record.id}/edit\`);
    const form = await browser.agent.post(\`/${n.plural}/\${record.id}\`).type('form').send({ _csrf: browser.csrf, _method: 'DELETE' });
    expect(form.status).toBe(403);
    expect(await t.knex('${n.plural}').where({ id: record.id }).first()).toEqual(row);
  });

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

export function modelTestTemplate(n: ResourceNames, fields: readonly Field[]): string {
  const refs = fields.filter((f) => f.type === 'references');
  const required = fields.find((f) => f.type === 'string');
  const attrs = `{ ${fields.map((f) => `${f.column}: ${sampleValue(f, 1, '++sequence')}`).join(', ')} }`;
  return `import { ${n.model} } from '${importFrom(`test/app/models/${n.singular}.test.ts`, `app/models/${n.model}`)}';
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
