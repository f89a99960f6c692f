/** What the inspector shows in place of a secret. */
export const FILTERED = '[FILTERED]';

/** Names whose values are never shown: any key containing one of these (case-insensitive), as Rails' `filter_parameters`. */
export const defaultSecretNames: readonly string[] = ['password', 'token', 'secret', '_csrf', 'authorization', 'cookie'];

/** Columns of the session store that hold a session id or its contents: exact names, since `sid` is too short to match inside others. */
const sessionColumns = new Set(['sid', 'sess']);

/** Decides which names are secret, from the default list and the app's additions. */
export class SecretFilter {
  private readonly names: readonly string[];

  constructor(extra: readonly string[] = []) {
    this.names = [...defaultSecretNames, ...extra].map((name) => name.toLowerCase());
  }

  /** True when a value under `key` must not be shown. */
  isSecret(key: string): boolean {
    const lower = key.toLowerCase();
    return sessionColumns.has(lower) || this.names.some((name) => lower.includes(name));
  }

  /** A copy of `value` (params, a body, headers) with every secret's value replaced, bounded in depth and size. */
  filter(value: unknown, depth = 0): unknown {
    if (value === null || typeof value !== 'object') return typeof value === 'string' && value.length > 2000 ? `${value.slice(0, 2000)}…` : value;
    if (depth > 6) return '[…]';
    if (Array.isArray(value)) return value.slice(0, 100).map((item) => this.filter(item, depth + 1));
    if (value instanceof Date) return value.toISOString();
    if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value).slice(0, 200)) copy[key] = this.isSecret(key) ? FILTERED : this.filter(item, depth + 1);
    return copy;
  }

  /**
   * A statement's bindings with the secret ones replaced. Which column a placeholder belongs to is
   * read from the SQL: `"column" = $1` (and other comparisons), and `insert into t ("a", "b") values ($1, $2)`.
   */
  filterBindings(sql: string, bindings: readonly unknown[]): unknown[] {
    const secret = new Set<number>();
    const comparison = /"?([A-Za-z_][\w]*)"?\s*(?:=|<>|!=|>=|<=|>|<|\blike\b|\bilike\b|\bin\s*\()\s*(\$\d+|\?)/gi;
    let placeholderIndex = 0;
    const positions = placeholderPositions(sql);
    for (const match of sql.matchAll(comparison)) {
      if (!this.isSecret(match[1]!)) continue;
      const at = match.index! + match[0].length - match[2]!.length;
      secret.add(match[2]!.startsWith('$') ? Number(match[2]!.slice(1)) - 1 : positions.indexOf(at));
    }
    const insert = /insert\s+into\s+\S+\s*\(([^)]*)\)\s*values\s*(.*)$/is.exec(sql);
    if (insert) {
      const columns = insert[1]!.split(',').map((column) => column.trim().replace(/^"|"$/g, ''));
      const valuesStart = insert.index + insert[0].length - insert[2]!.length;
      for (const at of positions) {
        if (at < valuesStart) continue;
        if (this.isSecret(columns[placeholderIndex % columns.length] ?? '')) secret.add(positions.indexOf(at));
        placeholderIndex++;
      }
    }
    return bindings.map((value, index) => (secret.has(index) ? FILTERED : this.filter(value, 5)));
  }
}

/** Offsets of `?` placeholders, for SQL that numbers none. */
function placeholderPositions(sql: string): number[] {
  const positions: number[] = [];
  const pattern = /\$\d+|\?/g;
  for (const match of sql.matchAll(pattern)) positions.push(match.index!);
  return positions;
}
