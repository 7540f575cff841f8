// A private CA and an HTTPS front for the local platform, as a private deployment with its own CA would have.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface PrivateCa {
  caFile: string
  key: Buffer
  cert: Buffer
}

/** A throw-away CA and a leaf certificate for 127.0.0.1, localhost and `dnsNames`, made with the openssl CLI. */
export function makePrivateCa(dnsNames: string[] = []): PrivateCa {
  const dir = mkdtempSync(join(tmpdir(), 'clowdops-ca-'))
  const at = (name: string) => join(dir, name)
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' })
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  openssl('req', '-x509', ...ec, '-keyout', at('ca.key'), '-out', at('ca.pem'), '-days', '2', '-subj', '/CN=clowdops test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign')
  openssl('req', ...ec, '-keyout', at('leaf.key'), '-out', at('leaf.csr'), '-subj', '/CN=localhost')
  const names = ['DNS:localhost', 'IP:127.0.0.1', ...dnsNames.map((name) => `DNS:${name}`)].join(',')
  writeFileSync(at('leaf.ext'), `subjectAltName=${names}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`)
  openssl('x509', '-req', '-in', at('leaf.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial',
    '-out', at('leaf.pem'), '-days', '2', '-extfile', at('leaf.ext'))
  return { caFile: at('ca.pem'), key: readFileSync(at('leaf.key')), cert: readFileSync(at('leaf.pem')) }
}

/** Terminates TLS on 127.0.0.1 and forwards each request to `upstream` over plain loopback HTTP. */
export async function startTlsFront(ca: PrivateCa, upstream: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer({ key: ca.key, cert: ca.cert }, (req, res) => {
    const forward = httpRequest(new URL(req.url ?? '/', upstream), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    forward.on('error', () => res.destroy())
    req.pipe(forward)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  }
}
