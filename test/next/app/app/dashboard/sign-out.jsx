'use client';
import { useTessera } from 'tessera-auth/next/client';

export function SignOut() {
  const { status, logout } = useTessera();
  return (
    <>
      <p id="status">{status}</p>
      <button id="signout" onClick={() => void logout()}>
        Sign out
      </button>
    </>
  );
}
