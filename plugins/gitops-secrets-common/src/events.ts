/**
 * Kubernetes Events of failing objects, which the backend reads on demand
 * (field selector on the involved object, a few per object) and passes to
 * `summarizeCluster`. Providers' errors often appear only here: ESO's Ready
 * message says "could not get secret data from provider", its Warning Event
 * carries AWS's or Vault's answer.
 */

/** The part of a core/v1 Event the rules read. @public */
export interface SlimEvent {
  involvedObject: { kind: string; name: string; namespace?: string };
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  /** lastTimestamp, else eventTime, else firstTimestamp. */
  lastTimestamp?: string;
}

/** Events kept per object: the newest few say everything the rules need. @public */
export const MAX_EVENTS_PER_OBJECT = 5;

/** Event messages can embed long controller output; the rules need the start. */
const MAX_EVENT_MESSAGE = 2048;

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : undefined;
const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : undefined;

/** Cut a raw Event (core/v1 or events.k8s.io/v1) to what the rules read; undefined when it names no object. @public */
export function slimEvent(raw: unknown): SlimEvent | undefined {
  const r = rec(raw);
  const io = rec(r?.involvedObject) ?? rec(r?.regarding);
  const kind = str(io?.kind);
  const name = str(io?.name);
  if (!r || !kind || !name) return undefined;
  const out: SlimEvent = { involvedObject: { kind, name } };
  const ns = str(io?.namespace);
  if (ns) out.involvedObject.namespace = ns;
  const type = str(r.type);
  if (type) out.type = type;
  const reason = str(r.reason);
  if (reason) out.reason = reason;
  const message = str(r.message) ?? str(r.note);
  if (message)
    out.message =
      message.length > MAX_EVENT_MESSAGE
        ? `${message.slice(0, MAX_EVENT_MESSAGE)}…`
        : message;
  const count = r.count ?? rec(r.series)?.count;
  if (typeof count === 'number') out.count = count;
  const ts =
    str(r.lastTimestamp) ?? str(r.eventTime) ?? str(r.firstTimestamp);
  if (ts) out.lastTimestamp = ts;
  return out;
}

function key(kind: string, namespace: string | undefined, name: string) {
  return `${kind}|${namespace ?? ''}|${name}`;
}

/** Events by involved object, newest first, at most {@link MAX_EVENTS_PER_OBJECT} each. @public */
export class EventIndex {
  private readonly byObject = new Map<string, SlimEvent[]>();

  constructor(events: readonly SlimEvent[] = []) {
    for (const e of events) {
      const k = key(
        e.involvedObject.kind,
        e.involvedObject.namespace,
        e.involvedObject.name,
      );
      const list = this.byObject.get(k);
      if (list) list.push(e);
      else this.byObject.set(k, [e]);
    }
    for (const list of this.byObject.values()) {
      list.sort((a, b) =>
        (b.lastTimestamp ?? '').localeCompare(a.lastTimestamp ?? ''),
      );
      list.splice(MAX_EVENTS_PER_OBJECT);
    }
  }

  /** Events of one object, newest first. */
  of(obj: {
    kind: string;
    metadata: { name: string; namespace?: string };
  }): SlimEvent[] {
    return (
      this.byObject.get(key(obj.kind, obj.metadata.namespace, obj.metadata.name)) ??
      []
    );
  }

  /** Warning messages of one object, newest first. */
  warnings(obj: {
    kind: string;
    metadata: { name: string; namespace?: string };
  }): string[] {
    return this.of(obj)
      .filter(
        e =>
          Boolean(e.message) &&
          (e.type === 'Warning' || /error|fail/i.test(e.reason ?? '')),
      )
      .map(e => e.message!);
  }
}
