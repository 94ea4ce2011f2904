'use client';
import { useState } from 'react';

export function WhoAmI({ action }) {
  const [answer, setAnswer] = useState('');
  return (
    <>
      <button id="whoami" onClick={async () => setAnswer(await action())}>
        Who am I (server action)
      </button>
      <p id="whoami-answer">{answer}</p>
    </>
  );
}
