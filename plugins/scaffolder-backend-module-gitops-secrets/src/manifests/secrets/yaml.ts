import { InputError } from '@backstage/errors';
import { Document, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { KustomizeConfig } from './types';

/** Serialises objects as one YAML stream; `header` becomes a comment at the top. */
export function toYaml(objects: object[], header?: string): string {
  const docs = objects.map((obj, i) => {
    const doc = new Document(obj);
    if (i === 0 && header)
      doc.commentBefore = ` ${header.split('\n').join('\n ')}`;
    // lineWidth 0: never fold long values (CEL expressions, URLs) over lines.
    return doc.toString({ lineWidth: 0 });
  });
  return docs.join('---\n');
}

/** A kustomize `kustomization.yaml` listing `resources`. */
export function kustomizeConfig(resources: string[]): KustomizeConfig {
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources,
  };
}

/** `./a/`, `a` and `a/` name the same resource. */
function sameResource(a: string, b: string): boolean {
  const norm = (s: string) => s.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  return norm(a) === norm(b);
}

/** The resources a kustomization.yaml lists (empty when it has none). */
export function listKustomizeResources(content: string): string[] {
  const doc = parseDocument(content);
  const resources = isMap(doc.contents)
    ? doc.contents.get('resources', true)
    : undefined;
  if (!isSeq(resources)) return [];
  return resources.items
    .map(item => (isScalar(item) ? String(item.value) : undefined))
    .filter((v): v is string => v !== undefined);
}

/**
 * Adds `entries` to the `resources` of an existing kustomization.yaml with
 * yaml's Document API, so its comments, key order and existing entries stay
 * as they are; new entries go at the end. Returns the content unchanged when
 * every entry is already listed.
 */
export function addKustomizeResources(
  path: string,
  content: string,
  entries: string[],
): string {
  const doc = parseDocument(content);
  if (doc.errors.length) {
    throw new InputError(
      `${path} is not valid YAML (${
        doc.errors[0].message.split('\n')[0]
      }); fix it before adding resources to it`,
    );
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new InputError(
      `${path} is not a kustomization (its top level is not a map)`,
    );
  }
  const kind: unknown = isMap(doc.contents)
    ? doc.contents.get('kind')
    : undefined;
  if (kind !== undefined && kind !== 'Kustomization') {
    throw new InputError(
      `${path} has kind ${String(kind)}, expected a kustomize Kustomization`,
    );
  }
  const resources: unknown = isMap(doc.contents)
    ? doc.contents.get('resources', true)
    : undefined;
  if (
    resources !== undefined &&
    !isSeq(resources) &&
    !(isScalar(resources) && resources.value === null)
  ) {
    throw new InputError(`${path}: "resources" is not a list`);
  }
  const present = isSeq(resources)
    ? resources.items.map(i => (isScalar(i) ? String(i.value) : ''))
    : [];
  const missing = entries.filter(e => !present.some(p => sameResource(p, e)));
  if (!missing.length) return content;
  let seq = resources;
  if (!isSeq(seq)) {
    seq = doc.createNode([]);
    doc.set('resources', seq);
  }
  if (!isSeq(seq)) throw new Error('unreachable: createNode([]) is a sequence');
  for (const entry of missing) seq.items.push(doc.createNode(entry));
  // Keep the file's list style: "- x" flush with the key, or indented under it.
  const indentSeq = !/^resources:[^\n]*\n-\s/m.test(content);
  return doc.toString({ lineWidth: 0, indentSeq });
}
