import type { Request } from 'express';
import { checkTemplates, defaultHelpers, formatTemplateProblems, frameworkHelperNames, readLocalsDeclaration, requestHelpers, topLevelNames } from '../../framework/view';
import { projectRoot } from '../support/processes';

const fixtureViews = 'test/framework/fixtures/typo-views';
const app = {
  root: projectRoot,
  typeModules: ['app/models/User', 'app/models/Post', 'framework'],
  sharedLocals: '{ currentUser?: User }',
};

describe('the template check', () => {
  it('reports a misspelled local, a wrong property and an unknown name at the template file and line', () => {
    const output = formatTemplateProblems(checkTemplates({ ...app, viewsDir: fixtureViews }));
    expect(output).toContain(`${fixtureViews}/things/show.ejs:8: Cannot find name 'usr'`);
    expect(output).toContain(`${fixtureViews}/things/show.ejs:9: Property 'nmae' does not exist on type 'User'`);
    // A declaration may span lines; the lines after it keep their numbers.
    expect(output).toContain(`${fixtureViews}/things/index.ejs:5: Cannot find name 'cuont'`);
    // Declared locals, helpers (url, formatDate, pluralize), shared locals and JavaScript globals (Math) are fine,
    // and a template without a declaration is not checked.
    expect(output.split('\n')).toHaveLength(3);
  }, 60_000);

  it('finds nothing wrong in the application views', () => {
    const problems = checkTemplates({
      ...app,
      viewsDir: 'views',
      helpers: { module: 'app/helpers/index', exportName: 'viewHelpers', names: ['avatarTag'] },
    });
    expect(formatTemplateProblems(problems)).toBe('');
  }, 60_000);
});

describe('a locals declaration', () => {
  it('is the first tag of a template, and names the locals at its top level', () => {
    const declaration = readLocalsDeclaration("<%# locals: { user: User; 'odd-name'?: Map<string, { a: 1; b: 2 }>, posts: Post[] } -%>\n<p></p>");
    expect(declaration?.names).toEqual(['user', 'odd-name', 'posts']);
    expect(topLevelNames('{ readonly fn: (a: number, b: string) => void; next: string }')).toEqual(['fn', 'next']);
    expect(readLocalsDeclaration('<p>no declaration</p>\n<%# locals: { late: 1 } %>')).toBeUndefined();
  });
});

describe('the helpers type', () => {
  it('names every helper the framework gives a view (and EJS its include)', () => {
    const given = [...Object.keys(defaultHelpers({ url: () => '/' }, undefined)), ...Object.keys(requestHelpers({ session: undefined } as unknown as Request, () => undefined)), 'include'];
    expect([...frameworkHelperNames].sort()).toEqual(given.sort());
  });
});
