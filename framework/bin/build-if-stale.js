#!/usr/bin/env node
'use strict';
/**
 * Builds dist/ with `tsc -p tsconfig.build.json` when it is missing or older than the sources, so a
 * fresh clone can `npm start` right after `npm install`. A production install that built once and
 * dropped devDependencies (no TypeScript) runs dist/ as it is.
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = process.cwd();
const stamp = path.join(root, 'dist', '.build-stamp');
const sources = ['server.ts', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'framework', 'app', 'config', 'db'];

function newestMtime(entry) {
  let stat;
  try {
    stat = fs.statSync(entry);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return entry.endsWith('.ts') || entry.endsWith('.json') ? stat.mtimeMs : 0;
  let newest = 0;
  for (const name of fs.readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, name)));
  return newest;
}

function builtAt() {
  try {
    return fs.statSync(stamp).mtimeMs;
  } catch {
    return 0;
  }
}

const built = builtAt();
const newest = Math.max(...sources.map((s) => newestMtime(path.join(root, s))));
const force = process.argv.includes('--force');
if (!force && built && built >= newest) process.exit(0);

const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
if (!fs.existsSync(tsc)) {
  if (built) {
    console.warn('dist/ is older than the sources, but TypeScript is not installed: running dist/ as it is.');
    process.exit(0);
  }
  console.error('dist/ is missing and TypeScript is not installed. Run `npm install` (with devDependencies) or `npm run build` first.');
  process.exit(1);
}

console.log(force ? 'Building dist/ …' : built ? 'Sources changed: rebuilding dist/ …' : 'Building dist/ …');
fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit', cwd: root });
if (result.status !== 0) process.exit(result.status ?? 1);
fs.writeFileSync(stamp, new Date().toISOString() + '\n');
