import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createSecretsActions } from '.';
import { actionDocs } from './docs';

const README = path.resolve(__dirname, '../../../README.md');
const START =
  '<!-- generated:secrets-actions:start (src/actions/secrets/readme.test.ts; UPDATE_README=1 to rewrite) -->';
const END = '<!-- generated:secrets-actions:end -->';

describe('README', () => {
  it('documents every input and output of the secrets actions exactly as the schemas declare them', () => {
    const actions = createSecretsActions({
      integrations: ScmIntegrations.fromConfig(new ConfigReader({})),
    });
    const generated = `${START}\n\n${actions
      .map(actionDocs)
      .join('\n\n')}\n\n${END}`;
    const readme = readFileSync(README, 'utf8');
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    expect(start).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    const current = readme.slice(start, end + END.length);
    if (process.env.UPDATE_README && current !== generated) {
      writeFileSync(
        README,
        readme.slice(0, start) + generated + readme.slice(end + END.length),
      );
      return;
    }
    // Compare modulo table padding, so prettier may align the tables.
    const normalise = (text: string) =>
      text
        .split('\n')
        .map(line =>
          line.startsWith('|')
            ? line.replace(/ *\| */g, '|').replace(/-{3,}/g, '---')
            : line,
        )
        .join('\n');
    expect(normalise(current)).toBe(normalise(generated));
  });
});
