// Words the popup and the viewer show, and code formatting. Pure (no chrome.*, no DOM).

/**
 * "4821-937-204" → "4821 · 937 · 204" (groups as the host made them).
 * @param {string} code
 */
export function formatCode(code) {
  return code.split(/[-\s]+/).filter(Boolean).join(' · ');
}

/**
 * @param {string} mode  'customer' | 'agent' | 'idle'
 * @param {string} phase
 */
export function statusText(mode, phase) {
  if (mode === 'customer') {
    switch (phase) {
      case 'connecting':
        return 'Connecting…';
      case 'code':
        return 'Waiting for your agent…';
      case 'joining':
        return 'Connecting to your agent…';
      case 'handshaking':
        return 'Securing the connection…';
      case 'consent':
        return 'Your agent is connected';
      case 'live':
        return 'Sharing this tab';
      default:
        return 'Not sharing';
    }
  }
  if (mode === 'agent') {
    switch (phase) {
      case 'connecting':
        return 'Connecting…';
      case 'code':
        return 'Waiting for the customer…';
      case 'handshaking':
        return 'Securing the connection…';
      case 'waiting-consent':
        return 'Waiting for the customer to allow…';
      case 'loading':
        return 'Loading the customer’s tab…';
      case 'live':
        return 'Viewing the customer’s tab';
      case 'denied':
        return 'The customer declined';
      default:
        return 'Session ended';
    }
  }
  return 'Ready';
}

/** Reasons for which the error code says more than the reason. */
const GENERIC_REASONS = new Set(['host-disconnected', 'local-end', 'peer-ended']);

/**
 * Why a session ended, in words for the person who sees it.
 * @param {{mode: string, reason?: string, error?: string}} s
 */
export function endedText(s) {
  const code = s.reason && !(GENERIC_REASONS.has(s.reason) && s.error) ? s.reason : (s.error ?? s.reason ?? 'local-end');
  const customer = s.mode === 'customer';
  switch (code) {
    case 'customer-stopped':
      return customer ? 'You stopped sharing.' : 'The customer stopped sharing.';
    case 'agent-left':
      return customer ? 'The agent left the session.' : 'You left the session.';
    case 'denied':
      return customer ? 'You declined the agent’s request. Nothing was shared.' : 'The customer declined the request.';
    case 'tab-closed':
      return customer ? 'The shared tab was closed.' : 'The customer closed the shared tab.';
    case 'role-conflict':
      return 'Both sides joined as the same role. One side shares a tab, the other joins as the agent.';
    case 'app-version-mismatch':
    case 'version-mismatch':
      return 'The other side uses a Cotab version that does not work with this one. Update Cotab and try again.';
    case 'extension-restarted':
      return 'Cotab restarted, so the session ended. Start a new one to continue.';
    case 'peer-ended':
      return customer ? 'The agent’s side ended the session.' : 'The customer’s side ended the session.';
    case 'local-end':
      return 'The session ended.';
    case 'peer-lost':
      return 'The connection to the other side was lost.';
    case 'relay-lost':
    case 'relay-unreachable':
    case 'relay-tls-failed':
      return 'Cotab could not reach its relay server. Check your internet connection and try again.';
    case 'bad-code':
      return 'The code did not match. Codes work once: start again with a new code.';
    case 'nameplate-unknown':
      return 'No session has this code. It may have expired or already been used.';
    case 'code-format':
      return 'That does not look like a Cotab code. It has 10 digits, like 4821 937 204.';
    case 'rate-limited':
      return 'Too many attempts. Wait a minute, then try again.';
    case 'relay-full':
    case 'relay-shutdown':
      return 'The relay server is busy or restarting. Try again in a moment.';
    case 'handshake-timeout':
      return 'The secure connection could not be set up in time. Try again.';
    case 'session-timeout':
    case 'idle-timeout':
      return 'The session timed out.';
    case 'slow-consumer':
      return 'The connection was too slow to keep the session going.';
    case 'host-not-installed':
      return 'The Cotab helper app is not installed on this computer. Ask your IT team to install it.';
    case 'host-forbidden':
      return 'Cotab is not allowed to start its helper app on this computer.';
    case 'host-exited':
    case 'host-failed':
      return 'The Cotab helper app stopped unexpectedly.';
    case 'bad-relay-url':
    case 'insecure-relay':
      return 'The relay address in Cotab’s settings is not valid.';
    case 'error':
      return 'Something went wrong on the other side.';
    default:
      return `The session ended (${code}).`;
  }
}

/**
 * Why a command was refused, in words.
 * @param {string | undefined} error
 */
export function refusalText(error) {
  switch (error) {
    case 'page-not-shareable':
      return 'This page cannot be shared. Browser pages and the extension store are protected — open the website you need help with, then try again.';
    case 'busy':
      return 'A session is already running. End it first.';
    case 'mode-not-allowed':
      return 'This option is turned off in Cotab’s settings.';
    case 'bad-command':
      return 'That does not look like a Cotab code. It has 10 digits, like 4821 937 204.';
    case 'wrong-state':
      return 'That is not possible right now.';
    default:
      return error ? `Something went wrong (${error}).` : 'Something went wrong.';
  }
}

/** What each capability lets the agent do, in the customer's words (consent window, popup). */
export const CAPABILITY_TEXT = Object.freeze({
  annotate: 'Point, highlight and draw on this page',
  scroll: 'Scroll this page',
  type: 'Type into fields, choose options and tick boxes (never in password or hidden fields)',
  navigate: 'Suggest pages of this site to open (you confirm each one)',
  click: 'Click buttons and links (never pay, buy, confirm, delete or submit)',
});

/**
 * The consent window's line about what Allow grants besides seeing the tab.
 * @param {readonly string[]} joinGrants  the settings' `granted`
 */
export function joinGrantsText(joinGrants) {
  if (joinGrants.includes('annotate') && joinGrants.length === 1) return 'The agent can see this tab and point or draw on it. You decide about anything more, and you can stop at any time.';
  if (joinGrants.length === 0) return 'The agent can only look. You decide about anything more, and you can stop at any time.';
  const names = joinGrants.map((c) => CAPABILITY_TEXT[/** @type {keyof typeof CAPABILITY_TEXT} */ (c)]?.toLowerCase() ?? c);
  return `The agent can see this tab and: ${names.join('; ')}. You can take this back or stop at any time.`;
}
