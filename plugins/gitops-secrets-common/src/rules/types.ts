/** What a rule is and what it may read. */

import type { EventIndex } from '../events';
import type { ClusterError, Finding, FindingCode } from '../model';
import type { ObjectIndex } from '../objects';
import type { ClusterView, EsoFacts } from '../view';

/** Everything a rule may read. @public */
export interface RuleContext {
  cluster: string;
  now: Date;
  index: ObjectIndex;
  view: ClusterView;
  eso: EsoFacts;
  servedVersions: Record<string, string | null>;
  unsupported: Array<{ kind: string; servedVersions: string[] }>;
  error?: ClusterError;
  /** Events of failing objects, when the backend read them. */
  events?: EventIndex;
}

/** One rule: a pure function producing findings of one code. @public */
export interface Rule {
  code: FindingCode;
  /** When it fires, for the README and the UI. */
  when: string;
  run(ctx: RuleContext): Finding[];
}
