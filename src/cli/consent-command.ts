// grant and withdraw are one command with the other state: withdrawing is exactly as easy as granting.
import { Args } from '@oclif/core'
import { CONSENT_PURPOSES, type ConsentPurpose, ConsentWrite } from '../core/contract/index.js'
import { setConsent } from '../core/privacy/consent.js'
import { BaseCommand } from './base-command.js'
import { renderConsentWrite } from './render-privacy.js'

export abstract class ConsentCommand extends BaseCommand<ConsentWrite> {
  static override get resultSchema() { return ConsentWrite }
  static override args = {
    purpose: Args.string({ description: 'what the consent is for', required: true, options: [...CONSENT_PURPOSES] }),
  }

  protected abstract readonly state: 'granted' | 'withdrawn'

  async run(): Promise<ConsentWrite> {
    // oclif's parse copies only a class's own statics; the subclasses inherit theirs from here.
    const { args } = await this.parse({ args: ConsentCommand.args, baseFlags: ConsentCommand.baseFlags, enableJsonFlag: true })
    const write = await setConsent(args.purpose as ConsentPurpose, this.state, this.deps)
    this.log(renderConsentWrite(write, this.state, this.colors))
    return write
  }
}
