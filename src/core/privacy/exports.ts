// Export archives: the manifest of a completed access or portability request, and its files downloaded and verified.
import { type ExportFile, endpoints, fillPath } from '../contract/index.js'
import type { Deps, DownloadResult } from '../ports.js'

export interface DownloadedFile extends DownloadResult {
  name: string
}

export interface DownloadedExport {
  request_id: string
  files: DownloadedFile[]
}

export interface DownloadInput {
  id: string
  /** Where each file of the manifest goes: the command decides (an --output path, a directory, the working directory). */
  destinationFor: (file: ExportFile, fileCount: number) => string
  overwrite: boolean
  onProgress?: (file: ExportFile, received: number) => void
  signal?: AbortSignal
}

export async function downloadExport(input: DownloadInput, deps: Pick<Deps, 'api' | 'downloads'>): Promise<DownloadedExport> {
  const manifest = await deps.api.call(endpoints.getPrivacyExport, { params: { request_id: input.id } })
  const files: DownloadedFile[] = []
  for (const file of manifest.files) {
    const result = await deps.downloads.download({
      path: fillPath(endpoints.downloadPrivacyExportFile.path, { request_id: manifest.request_id, name: file.name }),
      destination: input.destinationFor(file, manifest.files.length),
      expected: { bytes: file.bytes, sha256: file.sha256 },
      overwrite: input.overwrite,
      ...(input.onProgress ? { onProgress: ({ received }: { received: number }) => input.onProgress?.(file, received) } : {}),
      ...(input.signal ? { signal: input.signal } : {}),
    })
    files.push({ name: file.name, ...result })
  }
  return { request_id: manifest.request_id, files }
}
