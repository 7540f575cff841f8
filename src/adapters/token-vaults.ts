// Where a profile's tokens are kept: an OS keychain entry (the default), or a 0600 file for --insecure-storage.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { KEYCHAIN_SERVICE, type TokenVault } from '../core/auth/tokens.js'
import type { SecretStore } from '../core/ports.js'
import { Secret } from '../core/secret.js'
import { CONFIG_DIR_MODE, CONFIG_FILE_MODE } from './config.js'

export function keychainVault(secrets: SecretStore): TokenVault {
  return {
    kind: 'keychain',
    read: (profile) => secrets.get(KEYCHAIN_SERVICE, profile),
    write: (profile, value) => secrets.set(KEYCHAIN_SERVICE, profile, value),
    delete: (profile) => secrets.delete(KEYCHAIN_SERVICE, profile),
    checkWritable: (profile) => secrets.checkWritable(KEYCHAIN_SERVICE, profile),
  }
}

/** One file per profile under <config dir>/tokens/, mode 0600, written atomically. The user chose it explicitly. */
export function fileVault(configDirectory: string): TokenVault {
  const directory = join(configDirectory, 'tokens')
  const pathOf = (profile: string) => join(directory, `${profile}.json`)
  return {
    kind: 'file',
    async read(profile) {
      try {
        return new Secret(await readFile(pathOf(profile), 'utf8'))
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
        throw error
      }
    },
    async write(profile, value) {
      await mkdir(directory, { recursive: true, mode: CONFIG_DIR_MODE })
      const temporary = `${pathOf(profile)}.${process.pid}.tmp`
      await writeFile(temporary, value.reveal(), { mode: CONFIG_FILE_MODE })
      await rename(temporary, pathOf(profile))
    },
    async delete(profile) {
      try {
        await rm(pathOf(profile))
        return true
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
        throw error
      }
    },
    // The user chose this file over the keychain; its directory is made when the token is written.
    checkWritable: async () => undefined,
  }
}
