import { validateObject } from '@golden-gitops/crd-schemas';
import yaml from 'yaml';
import {
  Harness,
  mockContext,
  startHarness,
} from '../../github/__testUtils__/harness';
import { parseObjects } from '../secrets/__testUtils__/fixtures';
import { createCreateLeafAction } from './createLeaf';
import { examples } from './createLeaf.examples';
import { fleetRepo, MGMT, SEED_TEMPLATE } from './__testUtils__/fleet';

jest.setTimeout(120_000);

describe('gitops:cluster:create-leaf examples', () => {
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
      expect(steps[0].action).toBe('gitops:cluster:create-leaf');
      const input = { ...steps[0].input };
      const fullName = `acme/example${index}`;
      input.repoUrl = h.repoUrl(fullName);
      // A fleet with this project's template and a WGE user's existing one.
      await h.sim.createRepo(fullName, {
        files: await fleetRepo({
          extra: {
            [`${MGMT}/capi/templates/capd-template.yaml`]: SEED_TEMPLATE,
          },
        }),
      });
      const action = createCreateLeafAction({
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
          expect({
            file: file.path,
            errors: validateObject(obj).errors,
          }).toEqual({
            file: file.path,
            errors: [],
          });
        }
      }

      const { ctx, outputs } = mockContext(input);
      await action.handler(ctx);
      expect(outputs.outcome).toBe('created');
      expect(outputs.clusterName).toBe(input.parameters.CLUSTER_NAME);
      const [pr] = h.sim.listPulls(fullName);
      // An explicit branch name, else the derived one (the cluster and a digest of the inputs).
      expect(pr.head.ref).toMatch(
        input.branchName
          ? new RegExp(`^${input.branchName}$`)
          : new RegExp(
              `^leaf-cluster/default-${input.parameters.CLUSTER_NAME}-[0-9a-f]{8}$`,
            ),
      );
    },
  );
});
