import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import api, { signIn, signOut } from './api.js';

function App() {
  const [user, setUser] = useState(undefined);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');

  useEffect(() => {
    api
      .get('/me')
      .then(({ data }) => setUser(data))
      .catch(() => setUser(null));
  }, []);

  async function submit(path) {
    setError('');
    try {
      await signIn(path, email, password);
      setUser((await api.get('/me')).data);
    } catch (e) {
      setError(e.response?.data?.message ?? e.message);
    }
  }

  async function logout() {
    await signOut();
    setUser(null);
  }

  if (user === undefined) return <p id="loading">Loading…</p>;
  if (user)
    return (
      <main>
        <p>
          Signed in as <b id="whoami">{user.email}</b>
        </p>
        <button id="logout" onClick={logout}>
          Log out
        </button>
      </main>
    );
  return (
    <form id="login-form" onSubmit={(e) => e.preventDefault()}>
      <input id="email" value={email} onChange={(e) => setEmail(e.target.value)} />
      <input
        id="password"
        type="password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <button id="login" onClick={() => submit('/login')}>
        Log in
      </button>
      <button id="signup" onClick={() => submit('/signup')}>
        Sign up
      </button>
      {error && <p id="error">{error}</p>}
    </form>
  );
}

createRoot(document.getElementById('root')).render(<App />);
