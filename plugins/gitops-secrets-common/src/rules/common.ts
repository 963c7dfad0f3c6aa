/** Helpers every rule uses: building a finding, and a safe kubectl command to look. */

import type {
  Finding,
  FindingCode,
  FindingSeverity,
  ObjectRef,
} from '../model';
import { displayName } from '../objects';
import { WATCHED_KINDS, apiGroup } from '../slim';

/** Findings listing many objects keep this many; the detail says how many more. */
export const MAX_OBJECTS = 25;

const SAFE_ARG = /^[A-Za-z0-9._:@/=,+-]+$/;

/** Quote a shell argument unless it is plainly safe. @public */
export function shellQuote(arg: string): string {
  return SAFE_ARG.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** kubectl resource name: plural.group for Cluster API kinds (`Cluster` alone is ambiguous), else the kind. */
function resourceName(ref: ObjectRef): string {
  const group = apiGroup(ref.apiVersion);
  if (group === 'cluster.x-k8s.io' || group.endsWith('.cluster.x-k8s.io')) {
    const watched = WATCHED_KINDS.find(
      k => k.kind === ref.kind && k.group === group,
    );
    if (watched) return watched.key;
  }
  return ref.kind.toLowerCase();
}

/**
 * A kubectl command to look at one object. Returns undefined for a Secret: the
 * plugin never offers a command that could print secret data.
 *
 * @public
 */
export function kubectlLook(
  cluster: string,
  ref: ObjectRef,
  verb: 'get' | 'describe' = 'get',
): string | undefined {
  if (ref.kind === 'Secret') return undefined;
  const parts = ['kubectl', '--context', shellQuote(cluster)];
  if (ref.namespace) parts.push('-n', shellQuote(ref.namespace));
  parts.push(verb, resourceName(ref), shellQuote(ref.name));
  if (verb === 'get') parts.push('-o', 'yaml');
  return parts.join(' ');
}

export function finding(
  code: FindingCode,
  severity: FindingSeverity,
  f: Omit<Finding, 'code' | 'severity' | 'command' | 'category'> & {
    command?: string;
    category?: string;
  },
): Finding {
  const out: Finding = {
    code,
    severity,
    title: f.title,
    detail: f.detail,
    fix: f.fix,
    objects: f.objects.slice(0, MAX_OBJECTS),
  };
  if (f.category) out.category = f.category;
  if (f.command) out.command = f.command;
  return out;
}

export function moreText(count: number): string {
  return count > MAX_OBJECTS ? ` (${count - MAX_OBJECTS} more not listed)` : '';
}

/** ` Affected: a, b, c.` for a finding that groups several objects; nothing for one. */
export function affectedText(refs: ObjectRef[]): string {
  if (refs.length < 2) return '';
  const names = refs.slice(0, MAX_OBJECTS).map(r => displayName(r));
  return ` Affected: ${names.join(', ')}${moreText(refs.length)}.`;
}
