import { tessera } from '../../../lib/tessera.js';

// A route handler that changes state: authenticate() applies the cookie's CSRF rules.
export async function POST(request) {
  const result = await tessera.authenticate(request);
  if (!result.ok)
    return Response.json(
      { code: result.error.code },
      { status: result.error.code === 'CSRF_FAILED' ? 403 : 401 },
    );
  return Response.json({ saved: true, userId: result.session.userId, via: result.session.via });
}

export async function GET(request) {
  const result = await tessera.authenticate(request);
  if (!result.ok) return Response.json({ code: result.error.code }, { status: 401 });
  return Response.json({ userId: result.session.userId, via: result.session.via });
}
