import { validateAny } from '@golden-gitops/crd-schemas';
import yaml from 'yaml';
import {
  Harness,
  mockContext,
  startHarness,
} from '../../github/__testUtils__/harness';
import { createBootstrapAction } from './bootstrap';
import { examples } from './bootstrap.examples';
import { clusterFiles, parseObjects } from './__testUtils__/fixtures';

jest.setTimeout(120_000);

describe('gitops:secrets:bootstrap examples', () => {
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
      expect(steps[0].action).toBe('gitops:secrets:bootstrap');
      const input = { ...steps[0].input };
      const fullName = `acme/example${index}`;
      // The examples name github.com; run them against the simulator.
      input.repoUrl = h.repoUrl(fullName);
      await h.sim.createRepo(fullName, {
        files: clusterFiles(input.clusterPath),
        defaultBranch: input.targetBranch ?? 'main',
      });
      const action = createBootstrapAction({
        integrations: h.integrations,
        octokitFactory: h.octokitFactory,
      });

      const dry = mockContext(input, { isDryRun: true });
      await action.handler(dry.ctx);
      expect(dry.outputs.outcome).toBe('would-change');
      for (const file of dry.outputs.files as Array<{
        path: string;
        content: string;
      }>) {
        for (const obj of parseObjects(file.content)) {
          if (obj.apiVersion === 'kustomize.config.k8s.io/v1beta1') continue;
          expect({ file: file.path, ...validateAny(obj) }).toEqual({
            file: file.path,
            valid: true,
            errors: [],
          });
        }
      }

      const { ctx, outputs } = mockContext(input);
      await action.handler(ctx);
      expect(outputs.outcome).toBe('created');
      const [pr] = h.sim.listPulls(fullName);
      expect(pr.base.ref).toBe(input.targetBranch ?? 'main');
      expect(pr.draft).toBe(input.draft ?? false);
      expect(pr.labels).toEqual(input.labels ?? []);
    },
  );
});
