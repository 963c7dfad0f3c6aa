import crypto from 'node:crypto';
import forge from 'node-forge';

/** A CA and the serving certificate it signed (valid for 127.0.0.1, ::1 and localhost). */
export interface SimCa {
  caCertPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  /** Base64 of the CA certificate PEM, for kubeconfig's certificate-authority-data. */
  caData: string;
  /** The CA's key: signs client certificates (`createClientCert`). Test material only. */
  caKeyPem?: string;
}

/** A client certificate and key signed by a simulated CA. */
export interface SimClientCert {
  certPem: string;
  keyPem: string;
}

// Node's native RSA key generation is far faster than forge's pure-JS one; forge only signs.
function rsaKeyPair(): {
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
  privatePem: string;
} {
  const { privateKey } = crypto.generateKeyPairSync('rsa', {
    modulusLength: 2048,
  });
  const privatePem = privateKey
    .export({ type: 'pkcs1', format: 'pem' })
    .toString();
  const forgeKey = forge.pki.privateKeyFromPem(
    privatePem,
  ) as forge.pki.rsa.PrivateKey;
  return {
    privateKey: forgeKey,
    publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e),
    privatePem,
  };
}

function serial(): string {
  // positive, 16 bytes
  return `01${crypto.randomBytes(15).toString('hex')}`;
}

export function createSimCa(commonName = 'kube-api-sim-ca'): SimCa {
  const ca = rsaKeyPair();
  const now = new Date();
  const notBefore = new Date(now.getTime() - 60 * 60 * 1000);
  const notAfter = new Date(now.getTime() + 10 * 365 * 24 * 60 * 60 * 1000);

  const caCert = forge.pki.createCertificate();
  caCert.publicKey = ca.publicKey;
  caCert.serialNumber = serial();
  caCert.validity.notBefore = notBefore;
  caCert.validity.notAfter = notAfter;
  const caSubject = [{ name: 'commonName', value: commonName }];
  caCert.setSubject(caSubject);
  caCert.setIssuer(caSubject);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    {
      name: 'keyUsage',
      keyCertSign: true,
      cRLSign: true,
      digitalSignature: true,
      critical: true,
    },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCert.sign(ca.privateKey, forge.md.sha256.create());

  const server = rsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = server.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  cert.setSubject([{ name: 'commonName', value: 'kube-apiserver' }]);
  cert.setIssuer(caSubject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    {
      name: 'keyUsage',
      digitalSignature: true,
      keyEncipherment: true,
      critical: true,
    },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 2, value: 'kubernetes.default.svc' },
        { type: 7, ip: '127.0.0.1' },
        { type: 7, ip: '::1' },
      ],
    },
    {
      name: 'authorityKeyIdentifier',
      keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes(),
    },
  ]);
  cert.sign(ca.privateKey, forge.md.sha256.create());

  const caCertPem = forge.pki.certificateToPem(caCert);
  return {
    caCertPem,
    serverCertPem: forge.pki.certificateToPem(cert),
    serverKeyPem: server.privatePem,
    caData: Buffer.from(caCertPem).toString('base64'),
    caKeyPem: ca.privatePem,
  };
}

/**
 * A client certificate for `commonName` signed by the CA, as a kubeconfig's client-certificate-data names a user: the
 * simulator maps its CN through `SimClusterOptions.clientCerts` to a grant.
 */
export function createClientCert(ca: SimCa, commonName: string): SimClientCert {
  if (!ca.caKeyPem) throw new Error('The CA has no key to sign with');
  const caCert = forge.pki.certificateFromPem(ca.caCertPem);
  const caKey = forge.pki.privateKeyFromPem(ca.caKeyPem);
  const client = rsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = client.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 24 * 60 * 60 * 1000);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return {
    certPem: forge.pki.certificateToPem(cert),
    keyPem: client.privatePem,
  };
}
