/** Naming conventions shared by the router, controllers and models. */

/** `BlogPostsController` → `blog_posts`: the folder of its views and the prefix of its route names. */
export function controllerPath(controllerName: string): string {
  return underscore(controllerName.replace(/Controller$/, ''));
}

/** `BlogPost` → `blog_post`. */
export function underscore(name: string): string {
  return name
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/([a-z\d])([A-Z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toLowerCase();
}

/** Whether `name` can be written bare as a JavaScript identifier or property key (ASCII letters, digits, `_`, `$`; no leading digit). */
export function isIdentifierName(name: string): boolean {
  return /^[A-Za-z_$][\w$]*$/.test(name);
}

/** `name` as a property key in generated TypeScript: bare when it can be, quoted otherwise (`'data-id'` → `"data-id"`). */
export function propertyKey(name: string): string {
  return isIdentifierName(name) ? name : JSON.stringify(name);
}
