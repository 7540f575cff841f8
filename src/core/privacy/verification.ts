// Proving the identity behind a request: a code given up front, or asked of a person until it works.
import { ClowdopsError, PendingError } from '../errors.js'
import type { Deps } from '../ports.js'
import { counted } from '../wording.js'
import { type RequestView, getRequest, resendCode, verificationProblem, verifyRequest } from './requests.js'

/** Asks a person for the code; `problem` says why the last one did not work. */
export type AskCode = (request: RequestView, problem?: string) => Promise<string>

export interface VerifyInput {
  request: RequestView
  /** From --code: tried once; a wrong one is an error. */
  code?: string | undefined
  /** Only where a person can answer. */
  ask?: AskCode | undefined
}

/** A person gets new codes when theirs expire or run out of attempts, but not forever. */
const MAX_NEW_CODES = 2

export async function verifyIdentity(input: VerifyInput, deps: Pick<Deps, 'api'>): Promise<RequestView> {
  const { request } = input
  if (request.status !== 'pending_verification') return request
  if (input.code !== undefined) {
    return verifyRequest(request.id, input.code, deps).catch((error: unknown) => {
      const kind = verificationProblem(error)
      if (kind === undefined || !(error instanceof ClowdopsError)) throw error
      const again = `clowdops privacy verify ${request.id} --resend`
      throw error.withHint(kind === 'invalid_code' ? `Check the code in the latest email, or get a new one: ${again}` : `Get a new code: ${again}`)
    })
  }
  if (!input.ask) {
    throw new PendingError(`Request ${request.id} waits for the code emailed to ${request.verification?.sent_to ?? 'the account address'}.`, {
      hint: `Pass it with --code, or later: clowdops privacy verify ${request.id} --code CODE`,
    })
  }
  let current = request
  let problem: string | undefined
  let newCodes = 0
  for (;;) {
    const code = await input.ask(current, problem)
    try {
      return await verifyRequest(current.id, code.trim(), deps)
    } catch (error) {
      const kind = verificationProblem(error)
      if (kind === undefined) throw error
      if (kind === 'invalid_code') {
        current = await getRequest(current.id, deps)
        problem = `That code is not right; ${counted(current.verification?.attempts_left ?? 0, 'attempt')} left.`
        continue
      }
      if (newCodes >= MAX_NEW_CODES) throw error
      newCodes += 1
      current = await resendCode(current.id, deps)
      problem = `${kind === 'code_expired' ? 'That code expired' : 'No attempts were left'}; a new code was sent to ${current.verification?.sent_to}.`
    }
  }
}
