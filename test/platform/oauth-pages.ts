// The device sign-in pages: plain HTML forms, no script and no external assets, with stable ids for browser tests.
// Every page is <main data-page="..."> so a test (or test/support/oauth.ts) can tell where it is.

const SCOPE_DESCRIPTIONS: Record<string, string> = {
  openid: 'Know who you are (your user id)',
  offline_access: 'Stay signed in on this device (a refresh token)',
  'projects:read': 'Read your projects and sandboxes',
  'projects:write': 'Create and change projects',
  'credentials:read': 'See the credentials registered in your projects (never their secrets)',
  'credentials:write': 'Register, rotate and remove credentials',
  'privacy:read': 'See your privacy requests, their exports and your consent choices',
  'privacy:write': 'Make privacy requests (export, erase, correct your data) and record consent choices',
  'privacy:admin': "Submit privacy requests for other people on your organisation's behalf, attesting how you verified who they are",
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}

function page(kind: string, title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · ClowdOps (local platform)</title>
<style>
body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1d1d1f;line-height:1.45}
.user-code{font:600 1.9rem ui-monospace,monospace;letter-spacing:.12em}
label{display:block;margin:.9rem 0 .25rem}
input{font-size:1.05rem;padding:.45rem;width:100%;box-sizing:border-box}
button{font-size:1rem;padding:.5rem 1.1rem;margin:1.1rem .6rem 0 0;cursor:pointer}
.error{color:#b00020}
small{color:#555}
</style>
</head>
<body>
<main data-page="${kind}">
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>
`
}

function errorLine(message: string | undefined): string {
  return message ? `<p id="error" class="error" role="alert">${escapeHtml(message)}</p>\n` : ''
}

function hidden(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n')
}

/** verification_uri: type the code shown in the terminal. */
export function enterCodePage(options: { action: string; xsrf: string; userCode?: string; error?: string }): string {
  return page(
    'enter-code',
    'Sign in to ClowdOps',
    `${errorLine(options.error)}<p>Enter the code shown in your terminal.</p>
<form id="device-form" method="post" action="${escapeHtml(options.action)}">
${hidden({ xsrf: options.xsrf })}
<label for="user_code">Code</label>
<input id="user_code" name="user_code" type="text" autocomplete="off" autocapitalize="characters" spellcheck="false" required autofocus${
      options.userCode ? ` value="${escapeHtml(options.userCode)}"` : ''
    }>
<button id="continue" type="submit">Continue</button>
</form>`,
  )
}

/** verification_uri_complete, or after a typed code: show the code so the person checks it is their own request. */
export function confirmCodePage(options: { action: string; xsrf: string; userCode: string; clientName: string }): string {
  return page(
    'confirm-code',
    'Confirm the code',
    `<p><strong id="client-name">${escapeHtml(options.clientName)}</strong> wants to sign in. Check that your terminal shows this code:</p>
<p><code id="user-code" class="user-code">${escapeHtml(options.userCode)}</code></p>
<form id="device-confirm-form" method="post" action="${escapeHtml(options.action)}">
${hidden({ xsrf: options.xsrf, user_code: options.userCode })}
<button id="confirm" type="submit" name="confirm" value="yes">Confirm</button>
<button id="cancel" type="submit" name="abort" value="yes">Cancel</button>
</form>
<p><small>If you did not start this sign-in, or the codes differ, press Cancel.</small></p>`,
  )
}

export function loginPage(options: { action: string; userCode?: string; email?: string; error?: string }): string {
  const code = options.userCode
    ? `<p>Signing in the device showing <code id="user-code" class="user-code">${escapeHtml(options.userCode)}</code></p>\n`
    : ''
  return page(
    'login',
    'Sign in',
    `${errorLine(options.error)}${code}<form id="login-form" method="post" action="${escapeHtml(options.action)}">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required autofocus value="${escapeHtml(options.email ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button id="sign-in" type="submit">Sign in</button>
</form>`,
  )
}

export function consentPage(options: { action: string; clientName: string; email: string; scopes: string[]; userCode?: string }): string {
  const items = options.scopes
    .map((scope) => `<li data-scope="${escapeHtml(scope)}"><code>${escapeHtml(scope)}</code> — ${escapeHtml(SCOPE_DESCRIPTIONS[scope] ?? scope)}</li>`)
    .join('\n')
  const code = options.userCode
    ? `<p>Device code: <code id="user-code" class="user-code">${escapeHtml(options.userCode)}</code></p>\n`
    : ''
  return page(
    'consent',
    'Authorize access',
    `<p><strong id="client-name">${escapeHtml(options.clientName)}</strong> asks to act as <strong id="account">${escapeHtml(options.email)}</strong>. It will be able to:</p>
<ul id="scopes">
${items}
</ul>
${code}<form id="consent-form" method="post" action="${escapeHtml(options.action)}">
<button id="approve" type="submit" name="decision" value="approve">Approve</button>
<button id="deny" type="submit" name="decision" value="deny">Deny</button>
</form>`,
  )
}

export function successPage(clientName: string): string {
  return page(
    'success',
    'Signed in',
    `<p id="success">${escapeHtml(clientName)} is signed in. You can close this page and return to your terminal.</p>`,
  )
}

export function deniedPage(): string {
  return page('denied', 'Sign-in cancelled', '<p id="denied">The sign-in request was denied. Nothing was shared; you can close this page.</p>')
}

export function errorPage(title: string, message: string): string {
  return page('error', title, errorLine(message))
}
