#!/usr/bin/env node
// Checks packed tarballs (`npm pack` output) the way an adopter's install would meet them:
//   - every entry point (main, module, types, exports, typesVersions) names a file inside the tarball;
//   - the tarball holds only built files (no src/, no tests) plus README.md, LICENSE and package.json;
//   - every package that dist/ imports (require/import/export-from in .js, import/export/import()/reference
//     types in .d.ts) is declared in dependencies or peerDependencies (for .d.ts, the package or its @types/);
//   - nothing is declared in dependencies that dist/ does not import (no dead weight in an adopter's tree).
// Usage: node scripts/check-packed.js [--json out.json] a.tgz b.tgz …
// Prints one line per finding; writes {checks: [{name, ok, detail}]} for scripts/count-results.js.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { builtinModules } = require('module');

const args = process.argv.slice(2);
let jsonOut;
const tarballs = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--json') jsonOut = args[++i];
  else tarballs.push(args[i]);
}

const BUILTINS = new Set(builtinModules.flatMap(m => [m, `node:${m}`]));
// Files a published package may carry besides dist/.
const ALLOWED_TOP = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^config\.d\.ts$/, // Backstage configSchema
  /^config\.schema\.json$/, // written by `backstage-cli package prepack` from config.d.ts
  /^dist\//,
  /^deploy\//, // backend: RBAC manifests for the adopter's cluster
  /^crds\//, // crd-schemas: the upstream CRDs it validates against
  /^templates\//, // scaffolder module: the software templates that call its actions
  /^docs\//,
];
const FORBIDDEN = [
  /\.test\.[jt]sx?$/,
  /(^|\/)src\//,
  /setupTests/,
  /__fixtures__/,
];

/** Package name of an import specifier, or undefined for relative paths and Node built-ins. */
function packageOf(spec) {
  if (spec.startsWith('.') || spec.startsWith('/') || BUILTINS.has(spec))
    return undefined;
  if (BUILTINS.has(spec.split('/')[0])) return undefined; // fs/promises
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function typesPackageOf(name) {
  return name.startsWith('@')
    ? `@types/${name.slice(1).replace('/', '__')}`
    : `@types/${name}`;
}

const JS_PATTERNS = [
  /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  /^\s*import\s+(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm,
  /^\s*export\s+[^'";]*?\s+from\s+['"]([^'"]+)['"]/gm,
];
const DTS_PATTERNS = [
  ...JS_PATTERNS.slice(1),
  /\/\/\/\s*<reference\s+types=['"]([^'"]+)['"]/g,
];

function specifiers(text, patterns) {
  const out = new Set();
  for (const re of patterns) for (const m of text.matchAll(re)) out.add(m[1]);
  return out;
}

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : [p];
  });
}

function entryPoints(pkg) {
  const out = [];
  for (const key of ['main', 'module', 'types', 'typings', 'browser'])
    if (typeof pkg[key] === 'string') out.push([key, pkg[key]]);
  const visit = (v, where) => {
    if (typeof v === 'string') out.push([where, v]);
    else if (v && typeof v === 'object')
      // The `backstage` condition names a feature type (@backstage/FrontendPlugin), not a file.
      for (const [k, x] of Object.entries(v))
        if (k !== 'backstage') visit(x, `${where}.${k}`);
  };
  visit(pkg.exports, 'exports');
  visit(pkg.typesVersions, 'typesVersions');
  if (typeof pkg.configSchema === 'string')
    out.push(['configSchema', pkg.configSchema]);
  return out;
}

function checkTarball(tgz) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-packed-'));
  try {
    execFileSync('tar', ['-xzf', tgz, '-C', dir]);
    const root = path.join(dir, 'package');
    const pkg = JSON.parse(
      fs.readFileSync(path.join(root, 'package.json'), 'utf8'),
    );
    const files = walk(root).map(f => path.relative(root, f));
    const problems = [];

    for (const f of files) {
      if (!ALLOWED_TOP.some(re => re.test(f)))
        problems.push(`unexpected file in the tarball: ${f}`);
      if (FORBIDDEN.some(re => re.test(f)))
        problems.push(`source or test file in the tarball: ${f}`);
    }
    for (const required of ['README.md', 'LICENSE'])
      if (!files.includes(required)) problems.push(`${required} is missing`);
    if (!files.some(f => f.startsWith('dist/')))
      problems.push('no dist/ in the tarball (was the package built?)');

    for (const [where, target] of entryPoints(pkg)) {
      if (target.includes('*')) continue;
      if (!fs.existsSync(path.join(root, target)))
        problems.push(
          `${where} points at ${target}, which is not in the tarball`,
        );
      else if (/\.tsx?$/.test(target) && !target.endsWith('.d.ts'))
        problems.push(`${where} points at TypeScript source ${target}`);
    }

    const deps = Object.keys(pkg.dependencies ?? {});
    const declared = new Set([
      ...deps,
      ...Object.keys(pkg.peerDependencies ?? {}),
      ...Object.keys(pkg.optionalDependencies ?? {}),
    ]);
    const usedByCode = new Map(); // package → first file importing it
    const usedByTypes = new Map();
    for (const f of files.filter(x => x.startsWith('dist/'))) {
      const text = fs.readFileSync(path.join(root, f), 'utf8');
      if (f.endsWith('.d.ts')) {
        for (const s of specifiers(text, DTS_PATTERNS)) {
          const name = packageOf(s);
          if (name && !usedByTypes.has(name)) usedByTypes.set(name, f);
        }
      } else if (/\.(c|m)?js$/.test(f)) {
        for (const s of specifiers(text, JS_PATTERNS)) {
          const name = packageOf(s);
          if (name && !usedByCode.has(name)) usedByCode.set(name, f);
        }
      }
    }
    for (const [name, file] of usedByCode)
      if (name !== pkg.name && !declared.has(name))
        problems.push(`${file} requires '${name}', which is not declared`);
    for (const [name, file] of usedByTypes)
      if (
        name !== pkg.name &&
        !declared.has(name) &&
        !declared.has(typesPackageOf(name))
      )
        problems.push(
          `${file} imports types from '${name}', which is not declared (nor ${typesPackageOf(
            name,
          )})`,
        );
    for (const dep of deps) {
      const used =
        usedByCode.has(dep) ||
        usedByTypes.has(dep) ||
        (dep.startsWith('@types/') &&
          [...usedByTypes.keys()].some(n => typesPackageOf(n) === dep));
      if (!used)
        problems.push(
          `'${dep}' is declared in dependencies but dist/ never imports it`,
        );
    }
    return { name: pkg.name, files: files.length, problems };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const checks = [];
for (const tgz of tarballs) {
  const r = checkTarball(tgz);
  for (const p of r.problems) console.log(`✗ ${r.name}: ${p}`);
  if (!r.problems.length)
    console.log(
      `✓ ${r.name}: ${r.files} files, entry points and imports declared`,
    );
  checks.push({
    name: `packed ${r.name}: only built files, entry points present, imports declared`,
    ok: r.problems.length === 0,
    detail: r.problems.join('\n'),
  });
}
if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ checks }, null, 2));
process.exit(checks.every(c => c.ok) && checks.length ? 0 : 1);
