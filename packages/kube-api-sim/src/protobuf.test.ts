import { decodeKubeProtobuf } from './protobuf';

// A minimal protobuf writer, laid out after k8s.io/api's generated.proto field numbers.
const varint = (value: number) => {
  const out: number[] = [];
  let n = value;
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return Buffer.from(out);
};
const bytes = (no: number, value: Buffer | string) => {
  const v = typeof value === 'string' ? Buffer.from(value) : value;
  return Buffer.concat([varint((no << 3) | 2), varint(v.length), v]);
};
const bool = (no: number, value: boolean) =>
  Buffer.concat([varint(no << 3), varint(value ? 1 : 0)]);
const entry = (no: number, k: string, v: Buffer | string) =>
  bytes(no, Buffer.concat([bytes(1, k), bytes(2, v)]));
const envelope = (apiVersion: string, kind: string, raw: Buffer) =>
  Buffer.concat([
    Buffer.from('k8s\0', 'binary'),
    bytes(1, Buffer.concat([bytes(1, apiVersion), bytes(2, kind)])),
    bytes(2, raw),
    bytes(3, ''),
    bytes(4, ''),
  ]);

describe('decodeKubeProtobuf', () => {
  it('decodes a Secret with metadata, data, stringData and type, skipping empty strings', () => {
    const meta = Buffer.concat([
      bytes(1, 'creds'),
      bytes(2, ''),
      bytes(3, 'apps'),
      entry(11, 'team', 'a'),
      entry(12, 'note', 'x'),
      bytes(14, 'example.com/f'),
      bytes(8, Buffer.alloc(0)), // creationTimestamp: ignored
    ]);
    const secret = Buffer.concat([
      bytes(1, meta),
      entry(2, 'password', Buffer.from([0, 255, 1])),
      bytes(3, 'kubernetes.io/basic-auth'),
      entry(4, 'user', 'admin'),
      bool(5, true),
    ]);
    expect(decodeKubeProtobuf(envelope('v1', 'Secret', secret))).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'creds',
        namespace: 'apps',
        labels: { team: 'a' },
        annotations: { note: 'x' },
        finalizers: ['example.com/f'],
      },
      data: { password: Buffer.from([0, 255, 1]).toString('base64') },
      type: 'kubernetes.io/basic-auth',
      stringData: { user: 'admin' },
      immutable: true,
    });
  });

  it('decodes a ConfigMap and a Namespace', () => {
    const cm = Buffer.concat([
      bytes(1, bytes(1, 'cfg')),
      entry(2, 'mode', 'fast'),
      entry(3, 'blob', Buffer.from('hi')),
    ]);
    expect(decodeKubeProtobuf(envelope('v1', 'ConfigMap', cm))).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg' },
      data: { mode: 'fast' },
      binaryData: { blob: Buffer.from('hi').toString('base64') },
    });
    const ns = Buffer.concat([
      bytes(1, bytes(1, 'team-a')),
      bytes(2, bytes(1, 'kubernetes')),
      bytes(3, bytes(1, 'Active')),
    ]);
    expect(decodeKubeProtobuf(envelope('v1', 'Namespace', ns))).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'team-a' },
      spec: { finalizers: ['kubernetes'] },
    });
  });

  it('returns undefined for other kinds and for bodies without the envelope', () => {
    expect(
      decodeKubeProtobuf(
        envelope('apps/v1', 'Deployment', bytes(1, bytes(1, 'x'))),
      ),
    ).toBeUndefined();
    expect(
      decodeKubeProtobuf(Buffer.from('{"kind":"Secret"}')),
    ).toBeUndefined();
  });
});
