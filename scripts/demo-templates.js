#!/usr/bin/env node
// The templates in templates/ are what adopters register: GitHub as host, no default repository. The local demo
// (scripts/portal.sh) and the adopter test serve a copy in which every RepoUrlPicker allows the GitHub simulator's
// host and defaults to its repository, so the demo's forms open prefilled.
// Usage: node scripts/demo-templates.js <out folder> <host> <owner/repo>
const fs = require('fs');
const path = require('path');
const { parseDocument } = require('yaml');

const [out, host, ownerRepo] = process.argv.slice(2);
if (!out || !host || !/^[^/]+\/[^/]+$/.test(ownerRepo ?? '')) {
  console.error(
    'usage: node scripts/demo-templates.js <out folder> <host> <owner/repo>',
  );
  process.exit(2);
}
const [owner, repo] = ownerRepo.split('/');
const src = path.resolve(__dirname, '..', 'templates');

fs.rmSync(out, { recursive: true, force: true });
fs.cpSync(src, out, { recursive: true });
let pickers = 0;
for (const name of fs.readdirSync(out)) {
  const file = path.join(out, name, 'template.yaml');
  if (!fs.existsSync(file)) continue;
  const doc = parseDocument(fs.readFileSync(file, 'utf8'));
  for (const page of doc.get('spec').get('parameters').items) {
    const repoUrl = page.getIn(['properties', 'repoUrl']);
    if (!repoUrl || repoUrl.get('ui:field') !== 'RepoUrlPicker') continue;
    repoUrl.set('default', `${host}?owner=${owner}&repo=${repo}`);
    repoUrl.setIn(['ui:options', 'allowedHosts'], [host]);
    pickers += 1;
  }
  fs.writeFileSync(file, doc.toString({ lineWidth: 0 }));
}
if (pickers === 0) {
  console.error(`no RepoUrlPicker found in ${src}/*/template.yaml`);
  process.exit(1);
}
