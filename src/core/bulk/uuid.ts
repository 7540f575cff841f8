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
/** Namespace bytes then the name, hashed in place: a million rows make a million ids, and each copy is garbage. */
let scratch = Buffer.allocUnsafe(1024)

/** RFC 4122 §4.3: SHA-1 of the namespace's 16 bytes then the name's UTF-8, version 5, variant 10xx. */
export function uuidV5(namespace: string, name: string): string {
  let prefix = namespaceBytes.get(namespace)
  if (!prefix) {
    if (!UUID.test(namespace)) throw new TypeError(`not a UUID: ${namespace}`)
    prefix = Buffer.from(namespace.replace(/-/g, ''), 'hex')
    namespaceBytes.set(namespace, prefix)
  }
  const needed = 16 + Buffer.byteLength(name, 'utf8')
  if (needed > scratch.length) scratch = Buffer.allocUnsafe(needed * 2)
  prefix.copy(scratch, 0)
  scratch.write(name, 16, 'utf8')
  // Hex straight from the hash, version and variant set in the text: no digest Buffer per id.
  const hex = hash('sha1', scratch.subarray(0, needed), 'hex')
  const variant = VARIANT_10XX[hex.charCodeAt(16) - (hex.charCodeAt(16) >= 0x61 ? 0x57 : 0x30)]
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

/** The variant nibble 10xx (RFC 4122 §4.1.1) of each hex digit's low two bits: 8, 9, a or b. */
const VARIANT_10XX = Array.from({ length: 16 }, (_, nibble) => ((nibble & 0x3) | 0x8).toString(16))

/**
 * The id of one bulk request: the same organisation, person, type and scope always give the same id, so a rerun
 * (or a resumed run) of the same batch re-sends the same ids and the platform deduplicates them.
 * `scope` is the row's own request_id when it has one (stable across batches), else the batch id.
 */
export function requestIdFor(orgId: string, identityKey: string, type: string, scope: string): string {
  return uuidV5(REQUEST_ID_NAMESPACE, `${orgId}\n${identityKey}\n${type}\n${scope}`)
}
