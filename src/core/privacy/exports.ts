// Export archives: the manifest of a completed access or portability request, and its files downloaded and verified.
import { z } from 'zod'
import { type ExportFile, type ExportFormat, type Regulation, endpoints, fillPath } from '../contract/index.js'
import { ClowdopsError, UsageError } from '../errors.js'
import type { Deps } from '../ports.js'
import { type Created, createRequest, findOpenRequest, getRequest } from './requests.js'
import { FollowedRequest } from './wait.js'

export interface ExportStart {
  regulation?: Regulation | undefined
  format: ExportFormat
  /** --wait: the request is followed to the download, so its code must be at hand. */
  wait: boolean
  code?: string | undefined
  /** A person can type the code at a prompt. */
  canAsk: boolean
}

/**
 * An export of the account: an open one of the same kind (made by an earlier run, its code perhaps in the inbox) is
 * followed rather than a new one made, so `export` then `export --wait --code CODE` is the scripted path. With --wait,
 * no code and nobody to ask, a request that still needs its code is refused before anything is created (exit 2).
 */
export async function startExport(input: ExportStart, deps: Pick<Deps, 'api' | 'context' | 'pending'>): Promise<Created> {
  const type = input.regulation === 'ccpa' ? 'ccpa_know' : 'portability'
  const open = await findOpenRequest({ type, format: input.format }, deps)
  const needsCode = open === undefined || open.status === 'pending_verification'
  if (input.wait && needsCode && input.code === undefined && !input.canAsk) {
    throw new UsageError(
      open
        ? `Export request ${open.id} waits for the code emailed to ${open.verification?.sent_to ?? 'the account address'}; --wait needs it.`
        : '--wait needs the verification code, and there is no terminal to type it at.',
      {
        hint: open
          ? 'Pass it: clowdops privacy export --wait --code CODE'
          : 'Run clowdops privacy export first (it emails the code), then: clowdops privacy export --wait --code CODE',
      },
    )
  }
  if (open) return { request: open, replayed: true }
  return createRequest({ type, regulation: input.regulation, format: input.format }, deps)
}

/** What the Downloader port did with one file: where the verified file is, and how it got there. */
export const DownloadResult = z.object({
  path: z.string().describe('Where the verified file is.'),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  outcome: z.enum(['fetched', 'present']).describe('fetched now, or present: the destination already held exactly this file.'),
  resumes: z
    .number()
    .int()
    .min(0)
    .describe('Ranged requests made to continue after an interruption, in this run or from a partial file of an earlier run.'),
})
export type DownloadResult = z.infer<typeof DownloadResult>

export const DownloadedFile = DownloadResult.extend({ name: z.string().describe('The file name in the export manifest.') })
export type DownloadedFile = z.infer<typeof DownloadedFile>

export const DownloadedExport = z.object({ request_id: z.string(), files: z.array(DownloadedFile) })
export type DownloadedExport = z.infer<typeof DownloadedExport>

/** `privacy export`: the request, and with --wait how the wait ended and, once completed, the download. */
export const ExportResult = FollowedRequest.extend({ download: DownloadedExport.optional() })
export type ExportResult = z.infer<typeof ExportResult>

export interface DownloadInput {
  id: string
  /** Where each file of the manifest goes: the command decides (an --output path, a directory, the working directory). */
  destinationFor: (file: ExportFile, fileCount: number) => string
  overwrite: boolean
  onProgress?: (file: ExportFile, received: number) => void
}

/** What to do about an export that is not ready: verify the request if it waits for its code, otherwise wait for it. */
async function notReady(error: ClowdopsError, id: string, deps: Pick<Deps, 'api'>): Promise<ClowdopsError> {
  const request = await getRequest(id, deps)
  return error.withHint(
    request.status === 'pending_verification'
      ? `Verify it first with the emailed code: clowdops privacy verify ${id} --code CODE`
      : `Wait until it completes: clowdops privacy wait ${id}, then download it.`,
  )
}

export async function downloadExport(input: DownloadInput, deps: Pick<Deps, 'api' | 'downloads'>): Promise<DownloadedExport> {
  const manifest = await deps.api.call(endpoints.getPrivacyExport, { params: { request_id: input.id } }).catch(async (error: unknown) => {
    throw error instanceof ClowdopsError && error.code === 'export_not_ready' ? await notReady(error, input.id, deps) : error
  })
  const files: DownloadedFile[] = []
  for (const file of manifest.files) {
    const result = await deps.downloads.download({
      path: fillPath(endpoints.downloadPrivacyExportFile.path, { request_id: manifest.request_id, name: file.name }),
      destination: input.destinationFor(file, manifest.files.length),
      expected: { bytes: file.bytes, sha256: file.sha256 },
      overwrite: input.overwrite,
      ...(input.onProgress ? { onProgress: ({ received }: { received: number }) => input.onProgress?.(file, received) } : {}),
    })
    files.push({ name: file.name, ...result })
  }
  return { request_id: manifest.request_id, files }
}
