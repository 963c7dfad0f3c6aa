import type { KubeObject } from './types';

/**
 * Decodes the Kubernetes protobuf encoding of the few built-in kinds kubectl's generators send that way
 * (`kubectl create namespace|configmap|secret`): the `k8s\0` envelope (runtime.Unknown) around the generated
 * message. Fields the simulator does not need (owner references, managed fields, timestamps) are skipped.
 * Returns undefined for any other kind, so the caller can answer 415.
 */

type Field = { no: number; wire: number; value: bigint | Buffer };

function* fields(buf: Buffer): Generator<Field> {
  let i = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (i >= buf.length) throw new Error('truncated varint');
      const b = buf[i++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const no = key >>> 3;
    const wire = key & 7;
    if (wire === 0) yield { no, wire, value: varint() };
    else if (wire === 2) {
      const len = Number(varint());
      if (i + len > buf.length) throw new Error('truncated field');
      yield { no, wire, value: buf.subarray(i, i + len) };
      i += len;
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
}

const str = (v: bigint | Buffer) => (v as Buffer).toString('utf8');

// proto2 as Kubernetes uses it writes empty strings for unset fields; JSON omits them.
function setString<T extends object>(
  target: T,
  key: keyof T & string,
  v: bigint | Buffer,
): void {
  const s = str(v);
  if (s) (target as Record<string, unknown>)[key] = s;
}

function mapEntry(buf: Buffer): [string, Buffer] {
  let key = '';
  let value = Buffer.alloc(0);
  for (const f of fields(buf)) {
    if (f.no === 1) key = str(f.value);
    else if (f.no === 2) value = f.value as Buffer;
  }
  return [key, value];
}

function objectMeta(buf: Buffer): KubeObject['metadata'] {
  const meta: KubeObject['metadata'] = {};
  for (const f of fields(buf)) {
    switch (f.no) {
      case 1:
        setString(meta, 'name', f.value);
        break;
      case 2:
        setString(meta, 'generateName', f.value);
        break;
      case 3:
        setString(meta, 'namespace', f.value);
        break;
      case 6:
        setString(meta, 'resourceVersion', f.value);
        break;
      case 11: {
        const [k, v] = mapEntry(f.value as Buffer);
        meta.labels = { ...meta.labels, [k]: v.toString('utf8') };
        break;
      }
      case 12: {
        const [k, v] = mapEntry(f.value as Buffer);
        meta.annotations = { ...meta.annotations, [k]: v.toString('utf8') };
        break;
      }
      case 14:
        meta.finalizers = [...(meta.finalizers ?? []), str(f.value)];
        break;
      default:
        break;
    }
  }
  return meta;
}

function decodeObject(
  apiVersion: string,
  kind: string,
  raw: Buffer,
): KubeObject | undefined {
  if (apiVersion !== 'v1') return undefined;
  const o: KubeObject = { apiVersion, kind, metadata: {} };
  const put = (field: string, k: string, v: string) => {
    o[field] = { ...(o[field] as Record<string, string> | undefined), [k]: v };
  };
  for (const f of fields(raw)) {
    if (f.no === 1) {
      o.metadata = objectMeta(f.value as Buffer);
      continue;
    }
    switch (`${kind}/${f.no}`) {
      case 'ConfigMap/2': {
        const [k, v] = mapEntry(f.value as Buffer);
        put('data', k, v.toString('utf8'));
        break;
      }
      case 'ConfigMap/3':
      case 'Secret/2': {
        const [k, v] = mapEntry(f.value as Buffer);
        put(kind === 'Secret' ? 'data' : 'binaryData', k, v.toString('base64'));
        break;
      }
      case 'Secret/3':
        setString(o, 'type', f.value);
        break;
      case 'Secret/4': {
        const [k, v] = mapEntry(f.value as Buffer);
        put('stringData', k, v.toString('utf8'));
        break;
      }
      case 'ConfigMap/4':
      case 'Secret/5':
        o.immutable = f.value === 1n;
        break;
      case 'Namespace/2': {
        const finalizers: string[] = [];
        for (const s of fields(f.value as Buffer))
          if (s.no === 1) finalizers.push(str(s.value));
        if (finalizers.length) o.spec = { finalizers };
        break;
      }
      case 'Namespace/3':
        break; // status is the server's
      default:
        if (kind !== 'ConfigMap' && kind !== 'Secret' && kind !== 'Namespace')
          return undefined;
    }
  }
  return o;
}

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

export function decodeKubeProtobuf(body: Buffer): KubeObject | undefined {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) return undefined;
  let apiVersion = '';
  let kind = '';
  let raw: Buffer | undefined;
  for (const f of fields(body.subarray(4))) {
    if (f.no === 1) {
      for (const t of fields(f.value as Buffer)) {
        if (t.no === 1) apiVersion = str(t.value);
        else if (t.no === 2) kind = str(t.value);
      }
    } else if (f.no === 2) raw = f.value as Buffer;
  }
  if (!raw) return undefined;
  return decodeObject(apiVersion, kind, raw);
}
