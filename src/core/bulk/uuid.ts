// Name-based request ids: RFC 4122 version-5 UUIDs, so the same row in the same batch always gets the same id.
import { hash } from 'node:crypto'

/** RFC 4122 appendix C: the namespace for URLs. */
export const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8'

/**
 * Namespace of bulk privacy-request ids: uuidV5(URL_NAMESPACE, 'https://platform.clowdops.ai/bulk/request-id').
 * Fixed for good: changing it would give every row of a rerun a new id, and the platform would create its
 * requests a second time instead of answering "duplicate".
 */
export const REQUEST_ID_NAMESPACE = '38dce250-5879-53e6-9d36-65ac48364c95'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const namespaceBytes = new Map<string, Buffer>()
/**
 * Namespace bytes then the name, written in place, and the id's 36 characters, formatted in place: a million rows make
 * a million ids, and every intermediate string or buffer would be garbage (an id cost ~670 bytes of it, now ~200).
 */
let scratch = Buffer.allocUnsafe(1024)
const formatted = Buffer.alloc(36)

/** RFC 4122 §4.3: SHA-1 of the namespace's 16 bytes then the name's UTF-8, version 5, variant 10xx. */
export function uuidV5(namespace: string, name: string): string {
  reserve(16 + 3 * name.length)
  const length = 16 + scratch.write(name, 16, 'utf8')
  return formatId(namespace, length)
}

/**
 * The id of one bulk request: the same organisation, person, type and scope always give the same id, so a rerun
 * (or a resumed run) of the same batch re-sends the same ids and the platform deduplicates them.
 * `scope` is the row's own request_id when it has one (stable across batches), else the batch id.
 * The name is the four joined by newlines, written part by part.
 */
export function requestIdFor(orgId: string, identityKey: string, type: string, scope: string): string {
  reserve(16 + 3 * (orgId.length + identityKey.length + type.length + scope.length) + 3)
  let at = 16
  at += scratch.write(orgId, at, 'utf8')
  scratch[at++] = NEWLINE
  at += scratch.write(identityKey, at, 'utf8')
  scratch[at++] = NEWLINE
  at += scratch.write(type, at, 'utf8')
  scratch[at++] = NEWLINE
  at += scratch.write(scope, at, 'utf8')
  return formatId(REQUEST_ID_NAMESPACE, at)
}

const NEWLINE = 0x0a
const DASH = 0x2d

/** Room for that many bytes (a UTF-16 unit is at most 3 bytes of UTF-8). */
function reserve(bytes: number): void {
  if (bytes > scratch.length) scratch = Buffer.allocUnsafe(bytes * 2)
}

/** Hashes the namespace and the name already in scratch[16, length); formats the UUID from the hash's hex. */
function formatId(namespace: string, length: number): string {
  let prefix = namespaceBytes.get(namespace)
  if (!prefix) {
    if (!UUID.test(namespace)) throw new TypeError(`not a UUID: ${namespace}`)
    prefix = Buffer.from(namespace.replace(/-/g, ''), 'hex')
    namespaceBytes.set(namespace, prefix)
  }
  prefix.copy(scratch, 0)
  const hex = hash('sha1', scratch.subarray(0, length), 'hex')
  // xxxxxxxx-xxxx-5xxx-Vxxx-xxxxxxxxxxxx from hex digits 0-31: 12 is the version, 16 the variant (10xx).
  let out = 0
  for (let digit = 0; digit < 32; digit++) {
    if (digit === 8 || digit === 12 || digit === 16 || digit === 20) formatted[out++] = DASH
    formatted[out++] = digit === 12 ? 0x35 : digit === 16 ? VARIANT_10XX[hexValue(hex.charCodeAt(16))]! : hex.charCodeAt(digit)
  }
  return formatted.toString('latin1', 0, 36)
}

function hexValue(code: number): number {
  return code - (code >= 0x61 ? 0x57 : 0x30)
}

/** The variant digit 10xx (RFC 4122 §4.1.1) of each hex digit's low two bits: 8, 9, a or b, as character codes. */
const VARIANT_10XX = Array.from({ length: 16 }, (_, nibble) => ((nibble & 0x3) | 0x8).toString(16).charCodeAt(0))
