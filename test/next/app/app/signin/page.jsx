'use client';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useTessera } from 'tessera-auth/next/client';

export default function SignIn() {
  const { login, signup, client } = useTessera();
  const router = useRouter();
  const [error, setError] = useState('');
  const submit = (action) => async (event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget.form);
    try {
      await action(String(form.get('email')), String(form.get('password')));
      const next = new URLSearchParams(window.location.search).get('next') ?? '/dashboard';
      router.push(next.startsWith('/') && !next.startsWith('//') ? next : '/dashboard');
    } catch (caught) {
      setError(String(caught?.code ?? caught));
    }
  };
  return (
    <form id="signin" data-ready={client === null ? 'no' : 'yes'}>
      <input name="email" type="email" />
      <input name="password" type="password" />
      <button id="signup" onClick={submit(signup)}>
        Sign up
      </button>
      <button id="login" onClick={submit(login)}>
        Sign in
      </button>
      <p id="error">{error}</p>
    </form>
  );
}
