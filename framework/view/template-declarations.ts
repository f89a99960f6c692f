/**
 * Reading what a template declares about its locals, and which type names a module exports, with
 * plain text scanning: TypeScript 7 has no compiler API, and tsc checks the result anyway.
 */

/** A template's `<%# locals: { … } %>` comment: the type as written, its top-level names, the line it ends on. */
export interface LocalsDeclaration {
  type: string;
  names: string[];
  /** Line (1-based) of the template the comment ends on. */
  lastLine: number;
}

// The declaration is the template's first tag: `<%# locals: { user: User; posts: Post[] } -%>`.
const declarationPattern = /^\s*<%#\s*locals:\s*(\{[\s\S]*?\})\s*-?%>/;

/** The locals a template declares in its opening comment, or undefined for an untyped template. */
export function readLocalsDeclaration(source: string): LocalsDeclaration | undefined {
  const match = declarationPattern.exec(source);
  if (!match) return undefined;
  const type = match[1]!;
  return { type, names: topLevelNames(type), lastLine: match[0].split('\n').length };
}

/** `{ user: User; 'a-b'?: X<{ c: 1 }> }` → `['user', 'a-b']`: the property names at depth one of a type literal. */
export function topLevelNames(typeLiteral: string): string[] {
  const names: string[] = [];
  let depth = 0;
  let expectName = false;
  let quote: string | undefined;
  for (let i = 0; i < typeLiteral.length; i++) {
    const c = typeLiteral[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === '{' || c === '(' || c === '[' || c === '<') {
      depth += 1;
      if (depth === 1) expectName = true;
    } else if (c === '}' || c === ')' || c === ']' || (c === '>' && typeLiteral[i - 1] !== '=')) {
      depth -= 1;
    } else if (depth === 1 && (c === ';' || c === ',')) {
      expectName = true;
    } else if (depth === 1 && expectName && !/\s/.test(c)) {
      const name = /^(?:readonly\s+)?(?:'([^']*)'|"([^"]*)"|([A-Za-z_$][\w$]*))/.exec(typeLiteral.slice(i));
      if (name) {
        names.push(name[1] ?? name[2] ?? name[3]!);
        i += name[0].length - 1;
      }
      expectName = false;
    } else if (c === "'" || c === '"' || c === '`') {
      quote = c;
    }
  }
  return names;
}

/** The type-capable names a TypeScript module exports (classes, interfaces, types, enums, and `export { … }` lists). */
export function exportedTypeNames(source: string): string[] {
  const names = new Set<string>();
  for (const m of source.matchAll(/^export\s+(?:declare\s+)?(?:abstract\s+)?(?:class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/gm)) names.add(m[1]!);
  for (const m of source.matchAll(/^export\s+(?:type\s+)?\{([^}]*)\}/gm)) {
    for (const part of m[1]!.split(',')) {
      const name = /(?:^|\s)(?:type\s+)?(?:[\w$]+\s+as\s+)?([A-Za-z_$][\w$]*)\s*$/.exec(part.trim());
      if (name && /^[A-Z]/.test(name[1]!)) names.add(name[1]!);
    }
  }
  return [...names];
}

/** The identifiers in a type expression that may name an imported type (capitalised, outside strings). */
export function typeIdentifiers(type: string): string[] {
  const withoutStrings = type.replace(/'[^']*'|"[^"]*"|`[^`]*`/g, "''");
  return [...new Set(withoutStrings.match(/(?<![\w$.])[A-Z][\w$]*/g) ?? [])];
}
