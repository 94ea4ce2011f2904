import { tessera } from '../../lib/tessera.js';
import { SignOut } from './sign-out.jsx';
import { WhoAmI } from './who-am-i.jsx';

// A server component: the session comes from the httpOnly access cookie, verified here again.
export default async function Dashboard() {
  const session = await tessera.requireSession();
  async function whoAmI() {
    'use server';
    const current = await tessera.getSession();
    return current === null ? 'nobody' : current.userId;
  }
  return (
    <main>
      <p id="user">Signed in as {session.userId}</p>
      <p id="via">{session.via}</p>
      <WhoAmI action={whoAmI} />
      <SignOut />
    </main>
  );
}
