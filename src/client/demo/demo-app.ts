// The demo page's script (served at /demo/client/demo/demo-app.js). Not part of the SDK's API; it shows the
// client at work and exposes it as `window.tessera` for the browser tests.
import { CSRF_HEADER } from '../../wire/names.js';
import { createAuthClient, type AuthClientError, type RefreshInfo } from '../index.js';

const params = new URLSearchParams(location.search);
// ?auth=<origin> points the page at an auth server on another origin (the cross-site cookie proof); the
// page's CSP lets it connect only to itself and the server's issuer.
const client = createAuthClient({
  baseUrl: params.get('auth') ?? location.origin,
  proactiveRefresh: params.get('proactive') !== 'off',
});
const log: Record<string, unknown>[] = [];
Object.assign(window, { tessera: { client, log } });

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const text = (id: string, value: string): void => {
  $(id).textContent = value;
};
const say = (message: string, isError = false): void => {
  text('message', message);
  $('message').className = isError ? 'error' : '';
};
const time = (at: number): string => new Date(at).toLocaleTimeString();
const describe = (error: unknown): string => {
  const e = error as Partial<AuthClientError>;
  return e.code === undefined ? String(error) : `${e.code}: ${e.message ?? ''}`;
};

text('tab-id', client.getState().tabId);

client.on('tokenRefreshed', (info: RefreshInfo) => {
  log.push({ type: 'token', ...info });
  const item = document.createElement('li');
  const who =
    info.source === 'tab'
      ? `tab ${info.tabId} refreshed (${info.ms} ms) and told this tab`
      : info.source === 'login'
        ? `signed in here (${info.ms} ms)`
        : `this tab refreshed (${info.ms} ms)`;
  item.textContent = `${time(info.at)} ${who}${info.grace ? ', grace answer: the same successor again' : ''}; token for ${Math.round(info.expiresInMs / 1000)} s`;
  $('refreshes').prepend(item);
});
client.on('loggedOut', (event) => {
  log.push({ type: 'loggedOut', ...event, at: Date.now() });
  text('reason', `${event.reason}: ${event.detail}`);
  say(
    `Signed out (${event.reason}).`,
    event.reason !== 'LOGGED_OUT' && event.reason !== 'LOGGED_OUT_EVERYWHERE',
  );
});
client.on('error', (error) => {
  log.push({ type: 'error', code: error.code, at: Date.now() });
  say(`Refresh failed (${error.code}); the session is kept and the client keeps trying.`, true);
});

const renderState = (): void => {
  const state = client.getState();
  text('status', state.status);
  $('status').dataset.status = state.status;
  text('session', state.sessionId ?? '–');
  // Misconfigured or reconnecting: the server's code and words, the session kept while it retries.
  text(
    'problem',
    state.lastError === null ? '–' : `${state.lastError}: ${state.lastErrorDetail ?? ''}`,
  );
  text('warning', state.warning === null ? '–' : `${state.warning.code}: ${state.warning.fix}`);
  if (state.clockOffsetMs !== null) {
    const size = Math.abs(state.clockOffsetMs);
    const amount = size < 1000 ? `${size} ms` : `${(size / 1000).toFixed(1)} s`;
    text(
      'offset',
      `${amount} ${state.clockOffsetMs >= 0 ? 'ahead of' : 'behind'} this device (round trip halved; shown, never used for validity)`,
    );
  }
};
client.subscribe(renderState);
renderState();

setInterval(() => {
  const left = client.remainingMs();
  const total = client.getState().lastRefresh?.expiresInMs ?? 1;
  text('countdown', left === null ? '–' : `${Math.max(0, left / 1000).toFixed(1)} s`);
  $('bar').style.width = `${left === null ? 0 : Math.max(0, Math.min(100, (left / total) * 100))}%`;
}, 200);

const measure = (): void =>
  void client.measureClockOffset().catch(() => text('offset', 'unreachable'));
measure();
setInterval(measure, 30_000);

const credentials = (): [string, string] => [
  $<HTMLInputElement>('email').value,
  $<HTMLInputElement>('password').value,
];
const act = (id: string, task: () => Promise<unknown>): void => {
  $(id).addEventListener('click', (event) => {
    event.preventDefault();
    task().catch((error: unknown) => say(describe(error), true));
  });
};

act('signup', async () => {
  await client.signup(...credentials());
  say('Account created; signed in.');
});
act('login', async () => {
  await client.login(...credentials());
  say('Signed in.');
});
act('refresh', async () => {
  await client.refresh();
});
act('logout', async () => {
  await client.logout();
});
act('logout-all', async () => {
  await client.logoutEverywhere();
});
act('call-api', async () => {
  const started = performance.now();
  const response = await client.fetch('/demo/api/hello');
  const body: unknown = await response.json();
  log.push({ type: 'api', status: response.status, at: Date.now() });
  text(
    'api-result',
    `${response.status} in ${Math.round(performance.now() - started)} ms\n${JSON.stringify(body, null, 2)}`,
  );
});

interface SessionRow {
  id: string;
  user_agent: string | null;
  last_used_at: string;
  current: boolean;
}
const listSessions = async (): Promise<void> => {
  const response = await client.fetch('/auth/sessions');
  if (!response.ok) throw new Error(`sessions: ${response.status}`);
  const { sessions } = (await response.json()) as { sessions: SessionRow[] };
  const body = $('sessions');
  body.replaceChildren();
  for (const session of sessions) {
    const row = document.createElement('tr');
    for (const value of [
      session.id.slice(0, 12) + (session.current ? ' (this browser)' : ''),
      (session.user_agent ?? '?').slice(0, 60),
      new Date(session.last_used_at).toLocaleString(),
    ]) {
      const cell = document.createElement('td');
      cell.textContent = value;
      row.append(cell);
    }
    const cell = document.createElement('td');
    const button = document.createElement('button');
    button.textContent = 'Revoke';
    button.dataset.session = session.id;
    button.addEventListener('click', () => {
      void client
        .fetch(`/auth/sessions/${encodeURIComponent(session.id)}`, {
          method: 'DELETE',
          headers: { [CSRF_HEADER]: '1' },
        })
        .then(async (r) => (r.ok ? listSessions() : say(`Revoke failed: ${r.status}`, true)))
        .catch((error: unknown) => say(describe(error), true));
    });
    cell.append(button);
    row.append(cell);
    body.append(row);
  }
};
act('list-sessions', listSessions);

void client.restore();
