import path from 'node:path';
import pluralize from 'pluralize';
import { underscore } from '../support';

/** Every name a resource goes by, from one word: `post` → Post, posts, PostsController, views/posts. */
export interface ResourceNames {
  /** `BlogPost` */
  model: string;
  /** `blog_posts`: the table, the views folder and the URL segment. */
  plural: string;
  /** `blog_post` */
  singular: string;
  /** `BlogPostsController` */
  controller: string;
  /** `blogPost`: a variable holding one. */
  variable: string;
  /** `Blog post`: for people. */
  human: string;
}

const pascal = (word: string) =>
  word
    .split(/[_\s-]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

/** The names of a resource given as `Post`, `post`, `blog_post`, `BlogPost` or `people`. */
export function resourceNames(given: string): ResourceNames {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(given)) throw new Error(`"${given}" is not a valid name: use letters, digits and underscores, starting with a letter.`);
  const singular = pluralize.singular(underscore(given));
  const plural = pluralize.plural(singular);
  const model = pascal(singular);
  return {
    model,
    plural,
    singular,
    controller: `${pascal(plural)}Controller`,
    variable: model.charAt(0).toLowerCase() + model.slice(1),
    human: singular.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase()),
  };
}

/** `Reports` / `reports` → ReportsController, views/reports (a controller keeps its name's number). */
export function controllerNames(given: string): { controller: string; folder: string } {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(given)) throw new Error(`"${given}" is not a valid name: use letters, digits and underscores, starting with a letter.`);
  const base = given.replace(/Controller$/, '');
  return { controller: `${pascal(underscore(base))}Controller`, folder: underscore(base) };
}

/**
 * The import specifier, from a generated file, of another project file: `importFrom('config/routes.ts',
 * 'app/controllers/PostsController')` → `../app/controllers/PostsController`. Generated code is
 * application code; the generator only writes it, so the paths are computed, not spelled here.
 */
export function importFrom(fromFile: string, toModule: string): string {
  const relative = path.posix.relative(path.posix.dirname(fromFile), toModule);
  return relative.startsWith('.') ? relative : `./${relative}`;
}
