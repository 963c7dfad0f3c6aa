import { validateAny } from '@golden-gitops/crd-schemas';
import { schemaFor } from './schemaTypes';
import { ParamProblem, RenderResult } from './template';

/*
 * Validation of rendered objects against the upstream CRD schemas, before anything is written,
 * with each error traced back to the parameter that produced the field, so a bad value is
 * reported as "WORKER_MACHINE_COUNT: …" rather than as a broken MachineDeployment.
 */

export interface RenderedValidation {
  /** Errors in fields set from parameters. */
  paramProblems: ParamProblem[];
  /** Errors in fields the template itself fixes (the template is wrong). */
  templateProblems: string[];
  /** Objects of kinds no known schema covers (not validated). */
  unchecked: string[];
}

// Admission rules of Cluster API's webhooks the OpenAPI schemas do not carry.
function capiRules(o: Record<string, any>): string[] {
  const errors: string[] = [];
  const group = String(o.apiVersion ?? '').split('/')[0];
  const replicas = o.spec?.replicas;
  if (
    group === 'controlplane.cluster.x-k8s.io' &&
    o.kind === 'KubeadmControlPlane' &&
    typeof replicas === 'number'
  ) {
    const external =
      !!o.spec?.kubeadmConfigSpec?.clusterConfiguration?.etcd?.external;
    if (replicas < 1)
      errors.push(`spec.replicas: must be at least 1, got ${replicas}`);
    else if (!external && replicas % 2 === 0)
      errors.push(
        `spec.replicas: must be odd with stacked etcd (quorum), got ${replicas}`,
      );
  }
  if (
    group === 'cluster.x-k8s.io' &&
    o.kind === 'MachineDeployment' &&
    typeof replicas === 'number' &&
    replicas < 0
  )
    errors.push(`spec.replicas: must be 0 or more, got ${replicas}`);
  return errors;
}

const errorPath = (e: string) => {
  const i = e.indexOf(': ');
  return i < 0 ? '' : e.slice(0, i);
};

const covers = (prov: string, path: string) =>
  prov === path ||
  path.startsWith(`${prov}.`) ||
  path.startsWith(`${prov}[`) ||
  prov.startsWith(`${path}.`) ||
  prov.startsWith(`${path}[`);

export function validateRendered(result: RenderResult): RenderedValidation {
  const out: RenderedValidation = {
    paramProblems: [],
    templateProblems: [],
    unchecked: [],
  };
  for (const file of result.files) {
    for (const { object, provenance } of file.objects) {
      const id = `${object.kind}/${object.metadata?.name ?? '(no name)'}`;
      const core =
        !String(object.apiVersion ?? '').includes('/') ||
        String(object.apiVersion).startsWith('apps/');
      if (!core && !schemaFor(object.apiVersion, object.kind)) {
        out.unchecked.push(`${object.apiVersion} ${id}`);
        continue;
      }
      const res = validateAny(object);
      const errors = [...res.errors, ...capiRules(object)];
      if (core && res.errors.some(e => /not a core kind/.test(e))) {
        out.unchecked.push(`${object.apiVersion} ${id}`);
        continue;
      }
      for (const e of errors) {
        const path = errorPath(e);
        const params = new Set<string>();
        for (const [prov, names] of provenance)
          if (path && covers(prov, path)) names.forEach(n => params.add(n));
        if (params.size)
          for (const param of params)
            out.paramProblems.push({ param, message: `${id}: ${e}` });
        else out.templateProblems.push(`${id}: ${e}`);
      }
    }
  }
  return out;
}
