import { tessera } from './lib/tessera.js';

const guard = tessera.proxy({ protect: ['/dashboard', '/api'] });

export function proxy(request) {
  return guard(request);
}

export const config = { matcher: ['/dashboard/:path*', '/api/:path*'] };
