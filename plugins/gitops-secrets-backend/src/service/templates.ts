import type {
  PickerTemplate,
  SlimObject,
} from '@golden-gitops/plugin-gitops-secrets-common';
import {
  findWatchedKind,
  slimObject,
} from '@golden-gitops/plugin-gitops-secrets-common';
import { parseAllDocuments } from 'yaml';

/*
 * Weave GitOps Enterprise's templates (CAPITemplate, GitOpsTemplate) as the ClusterTemplatePicker lists them,
 * whether read from the watch cache or from the repository: both go through slimObject, so both keep the same
 * fields (description, params) and drop the same (resourcetemplates).
 */

/** Watched-kind keys of WGE's templates. */
export const TEMPLATE_KIND_KEYS = [
  'capitemplates.capi.weave.works',
  'gitopstemplates.templates.weave.works',
] as const;

/** Whether a slim object is one of WGE's templates (by API group and kind, any version we read). */
export function isTemplate(obj: SlimObject): boolean {
  const key = findWatchedKind(obj.apiVersion, obj.kind)?.key;
  return (TEMPLATE_KIND_KEYS as readonly string[]).includes(key ?? '');
}

export function toPickerTemplate(
  obj: SlimObject,
  source: PickerTemplate['source'],
  path?: string,
): PickerTemplate {
  return {
    kind: obj.kind as PickerTemplate['kind'],
    name: obj.metadata.name,
    ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
    ...(obj.spec?.description ? { description: obj.spec.description } : {}),
    source,
    ...(path ? { path } : {}),
    params: (obj.spec?.params ?? []).map(p => ({
      name: p.name,
      ...(p.description ? { description: p.description } : {}),
      required: p.required !== false,
      ...(p.options?.length ? { options: p.options } : {}),
      ...(p.default !== undefined ? { default: p.default } : {}),
    })),
  };
}

/**
 * The templates in one YAML file (any number of documents; others are skipped, as are documents that do not
 * parse — a repository holds many files that are not ours to judge). A template without a name is skipped.
 */
export function templatesInYaml(text: string): SlimObject[] {
  const out: SlimObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) continue;
    let raw: unknown;
    try {
      raw = doc.toJS({ maxAliasCount: 100 });
    } catch {
      continue; // e.g. an alias bomb
    }
    const obj = slimObject(raw);
    if (obj.metadata.name && isTemplate(obj)) out.push(obj);
  }
  return out;
}

/** Picker order: kind, then namespace, then name. */
export function compareTemplates(a: PickerTemplate, b: PickerTemplate) {
  return (
    a.kind.localeCompare(b.kind) ||
    (a.namespace ?? '').localeCompare(b.namespace ?? '') ||
    a.name.localeCompare(b.name)
  );
}
