import { runtimeFacts, tesseraEdge } from '../../lib/tessera-edge.js';

// A server component on the edge runtime: getSession() reads the access cookie, verified by Web Crypto.
export const runtime = 'edge';
export const dynamic = 'force-dynamic';

export default async function EdgePage() {
  const session = await tesseraEdge.getSession();
  const facts = runtimeFacts();
  return (
    <main>
      <p id="edge-user">{session === null ? 'signed out' : `Signed in as ${session.userId}`}</p>
      <p id="edge-runtime">
        {facts.runtime} {facts.crypto}
      </p>
    </main>
  );
}
