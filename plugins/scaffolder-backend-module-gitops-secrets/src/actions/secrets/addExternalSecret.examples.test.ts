import yaml from 'yaml';
import {
  Harness,
  mockContext,
  startHarness,
} from '../../github/__testUtils__/harness';
import { createAddExternalSecretAction } from './addExternalSecret';
import { examples } from './addExternalSecret.examples';
import { bootstrappedFiles } from './__testUtils__/fixtures';

jest.setTimeout(120_000);

describe('gitops:secrets:add-external-secret examples', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it.each(examples.map((e, i) => [i, e.description] as const))(
    'example %i runs through the handler: %s',
    async index => {
      const { steps } = yaml.parse(examples[index].example);
      expect(steps[0].action).toBe('gitops:secrets:add-external-secret');
      const input = { ...steps[0].input };
      const fullName = `acme/es-example${index}`;
      input.repoUrl = h.repoUrl(fullName);
      await h.sim.createRepo(fullName, {
        files: await bootstrappedFiles(input.clusterPath),
      });
      const action = createAddExternalSecretAction({
        integrations: h.integrations,
        octokitFactory: h.octokitFactory,
      });
      const { ctx, outputs } = mockContext(input);
      await action.handler(ctx);
      expect(outputs.outcome).toBe('created');
      expect(outputs.changedFiles).toContain(
        `${input.clusterPath}/external-secrets/crs/${input.namespace}/${input.name}.yaml`,
      );
    },
  );
});
