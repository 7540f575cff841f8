// Which way a person at a terminal signs in: the browser with PKCE where a browser can open here, a device code where it
// cannot, and the paste-back fallback when the browser is elsewhere. Decided from flags and the environment only.

export type SignInWay = 'browser' | 'device' | 'remote'

export interface SignInChoice {
  way: SignInWay
  /** Why the device code was chosen without being asked for: said to the person, so the switch is never a surprise. */
  reason?: string
}

export interface SignInFlags {
  device: boolean
  remote: boolean
  /** false for --no-browser. */
  browser: boolean
}

/**
 * Why no browser can open on this machine, or undefined when one can. `$BROWSER` names the command to use (as gh and
 * Debian's sensible-browser honour it), so it wins over the guesses from the environment.
 */
export function browserUnavailable(env: Readonly<Record<string, string | undefined>>, platform: string): string | undefined {
  if (env.BROWSER?.trim()) return undefined
  const ssh = ['SSH_CONNECTION', 'SSH_TTY'].find((name) => env[name])
  if (ssh) return `this is an SSH session (${ssh} is set), so a browser would open on the other machine`
  // macOS and Windows always have a desktop to open pages on; elsewhere it takes an X11 or Wayland display.
  if (platform !== 'darwin' && platform !== 'win32' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return 'there is no display here (DISPLAY and WAYLAND_DISPLAY are unset)'
  }
  return undefined
}

export function chooseSignIn(flags: SignInFlags, env: Readonly<Record<string, string | undefined>>, platform: string): SignInChoice {
  if (flags.device) return { way: 'device' }
  if (flags.remote) return { way: 'remote' }
  if (!flags.browser) return { way: 'device', reason: '--no-browser was given' }
  const reason = browserUnavailable(env, platform)
  return reason ? { way: 'device', reason } : { way: 'browser' }
}
