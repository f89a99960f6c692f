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
